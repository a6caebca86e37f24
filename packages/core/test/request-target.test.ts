import { afterEach, describe, expect, it } from 'vitest';
import { collectExchanges, sendRawRequest, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

// Found by the differential fuzzer (test/reliability/fuzz.test.ts): the path went upstream
// normalised by the URL parser (`/a/../b` as `/b`, `/x?` as `/x`) while the record kept the
// client's, so the origin got a request nobody sent and history showed another.
let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
});

describe('the request target goes upstream as the client wrote it', () => {
  it.each(['/a/../b/./c', '/trailing/?', '//double//slashes', '/%7Euser/%2f/./x?q=%20&q', '/semi;p=1/..;/x'])('%s', async (path) => {
    origin = await startOrigin((req, res) => res.end(req.url));
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const url = `${origin.url}${path}`;
    const answer = await sendRawRequest(proxy.port, `GET ${url} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(answer.split('\r\n\r\n')[1]).toBe(path);
    expect((await exchanges.next()).request.url).toBe(url);
  });

  it('sends / for an empty path and drops a fragment', async () => {
    origin = await startOrigin((req, res) => res.end(req.url));
    proxy = await startProxy();
    for (const [suffix, expected] of [['', '/'], ['?q=1', '/?q=1'], ['/x#frag', '/x']]) {
      const answer = await sendRawRequest(proxy.port, `GET ${origin.url}${suffix} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
      expect(answer.split('\r\n\r\n')[1]).toBe(expected);
    }
  });

  it('forwards an absolute URL whose scheme is upper case instead of serving the info page', async () => {
    origin = await startOrigin((req, res) => res.end(req.url));
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const url = origin.url.replace('http://', 'HTTP://') + '/upper';
    const answer = await sendRawRequest(proxy.port, `GET ${url} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    expect(answer.split('\r\n\r\n')[1]).toBe('/upper');
    expect((await exchanges.next()).request.url).toBe(`${origin.url}/upper`);
  });
});
