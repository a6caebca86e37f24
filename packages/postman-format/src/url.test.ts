import { describe, expect, it } from 'vitest';
import { toPostmanUrl } from './url.js';

describe('toPostmanUrl', () => {
  it('breaks a URL into protocol, host labels, port, path segments, raw query and hash', () => {
    expect(toPostmanUrl('https://api.example.com:8443/v1/a%20b/?q=x%20y&flag&e=#frag')).toEqual({
      raw: 'https://api.example.com:8443/v1/a%20b/?q=x%20y&flag&e=#frag',
      protocol: 'https',
      host: ['api', 'example', 'com'],
      port: '8443',
      path: ['v1', 'a%20b', ''],
      query: [
        { key: 'q', value: 'x%20y' },
        { key: 'flag', value: null },
        { key: 'e', value: '' },
      ],
      hash: 'frag',
    });
  });

  it('keeps IPv6 hosts whole and leaves default ports and empty queries out', () => {
    expect(toPostmanUrl('http://[::1]/')).toEqual({ raw: 'http://[::1]/', protocol: 'http', host: ['[::1]'], path: [''] });
  });
});
