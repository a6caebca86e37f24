import { describe, expect, it } from 'vitest';
import { compileNoProxy } from './no-proxy.js';
import { parseUpstreamProxy, UpstreamRoutes } from './upstream-proxy.js';
import { resolveConfig } from './config.js';

describe('noProxy', () => {
  const bypass = compileNoProxy(['localhost, .corp.example', '*.internal', '10.0.0.0/8', 'api.example.com:8443', '[::1]']);
  it.each([
    ['localhost', 80, true],
    ['corp.example', 443, true],
    ['a.b.corp.example', 443, true],
    ['notcorp.example', 443, false],
    ['x.internal', 80, true],
    ['10.1.2.3', 80, true],
    ['11.1.2.3', 80, false],
    ['api.example.com', 8443, true],
    ['api.example.com', 443, false],
    ['::1', 80, true],
    ['LOCALHOST', 80, true],
  ])('%s:%d bypasses: %s', (host, port, expected) => {
    expect(bypass(host, port)).toBe(expected);
  });
  it('"*" bypasses every host', () => expect(compileNoProxy(['*'])('anything', 1)).toBe(true));
});

describe('upstream proxy URLs and routes', () => {
  it('parses credentials and never shows them', () => {
    const proxy = parseUpstreamProxy('http://us%40r:p%3Ass@corp:3128', 'x');
    expect(proxy).toMatchObject({ protocol: 'http', hostname: 'corp', port: 3128, username: 'us@r', password: 'p:ss', display: 'http://corp:3128' });
    expect(parseUpstreamProxy('socks5h://[::1]', 'x').display).toBe('socks5h://[::1]:1080');
  });
  it('refuses other schemes without repeating the URL', () => {
    expect(() => parseUpstreamProxy('ftp://u:secret@h:1', 'option "upstreamProxy"')).toThrow(/option "upstreamProxy": the scheme "ftp:" is not supported/);
    expect(() => resolveConfig({ upstreamProxy: 'ftp://h' })).toThrow(/option "upstreamProxy": expected "env" or a URL/);
  });
  it('reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY from the environment with "env"', () => {
    const routes = new UpstreamRoutes('env', ['extra.example'], { HTTPS_PROXY: 'http://u:p@secure:3128', http_proxy: 'socks5://plain:1080', NO_PROXY: 'localhost' });
    expect(routes.for('api.example', 443, true)?.display).toBe('http://secure:3128');
    expect(routes.for('api.example', 80, false)?.display).toBe('socks5://plain:1080');
    expect(routes.for('localhost', 443, true)).toBeUndefined();
    expect(routes.for('extra.example', 80, false)).toBeUndefined();
    expect(routes.description).toBe('via upstream proxy socks5://plain:1080 for http, http://secure:3128 for https');
    expect(new UpstreamRoutes('env', [], {}).direct).toBe(true);
  });
});
