import { describe, expect, it } from 'vitest';
import { targetUrl, withoutDefaultPort } from './target-url.js';

describe('recorded URLs', () => {
  it('leave out the default port of decrypted connections, keep brackets and other ports', () => {
    expect(targetUrl({ secure: true, hostname: 'registry.example', port: 443 }, '/path')).toBe('https://registry.example/path');
    expect(targetUrl({ secure: false, hostname: 'plain.example', port: 80 }, '/x?y=1')).toBe('http://plain.example/x?y=1');
    expect(targetUrl({ secure: true, hostname: '::1', port: 443 }, '/')).toBe('https://[::1]/');
    expect(targetUrl({ secure: true, hostname: '::1', port: 8443 }, '/')).toBe('https://[::1]:8443/');
    expect(targetUrl({ secure: false, hostname: 'plain.example', port: 443 }, '/')).toBe('http://plain.example:443/');
  });

  it('leave out the default port of absolute URLs as clients send them', () => {
    expect(withoutDefaultPort('http://example.test:80/a')).toBe('http://example.test/a');
    expect(withoutDefaultPort('https://example.test:443?q')).toBe('https://example.test?q');
    expect(withoutDefaultPort('ws://[::1]:80/socket')).toBe('ws://[::1]/socket');
    expect(withoutDefaultPort('wss://example.test:443#x')).toBe('wss://example.test#x');
    for (const kept of ['http://example.test:8080/a', 'http://example.test:443/', 'https://example.test:80/', 'http://[::80]/', 'http://example.test/a:80', 'http://u:80@example.test/']) {
      expect(withoutDefaultPort(kept)).toBe(kept);
    }
  });
});
