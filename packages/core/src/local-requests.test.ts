import { describe, expect, it } from 'vitest';
import { authorityPort } from './local-requests.js';

/** The port as WHATWG URL parsing gives it, or undefined when URL rejects the string. */
function urlPort(absoluteUrl: string): number | undefined {
  try {
    const parsed = new URL(absoluteUrl);
    return parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
  } catch {
    return undefined;
  }
}

describe('authorityPort (the proxy-address check without a URL parse)', () => {
  it('reads the port as URL does, for every URL that parses', () => {
    const urls = [
      'http://example.com/',
      'https://example.com/path?q=1',
      'HTTP://Example.com:5555/',
      'HTTPS://example.com',
      'http://127.0.0.1:5555/x',
      'http://127.0.0.1:05555/x',
      'http://[::1]:5555/',
      'http://[::1]/',
      'https://[2001:db8::1]:8443/a',
      'http://user:pass@host:5555/',
      'http://user:p@ss@host:8080/',
      'http://user@host:5555@other:81/',
      'http://host:5555?query',
      'http://host:5555#frag',
      'http://host:5555\\path',
      'http://host:/',
      'http://host:80/',
      'https://host:443/',
      'http://host/a@b:5555/',
      'http://host?x=@y:5555',
    ];
    for (const url of urls) expect([url, authorityPort(url)]).toEqual([url, urlPort(url)]);
  });

  it('never names a port URL would accept for a string URL rejects', () => {
    for (const url of ['http://host:abc/', 'http://host:99999/', 'http://host:5a/', 'http://[::1:5555/']) {
      const port = authorityPort(url);
      expect(urlPort(url)).toBeUndefined();
      // Ruled out or sent to the real parse, which rejects it: never a wrong "own address".
      expect(Number.isNaN(port) || port > 65535 || port === 5555).toBe(true);
    }
  });
});
