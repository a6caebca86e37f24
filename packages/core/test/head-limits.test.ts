import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { collectExchanges, requestThroughProxy, sendRawRequest, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;

afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
});

/** `count` small header lines (`X-H0: v` …), under any head size limit used here. */
const headerLines = (count: number) => Array.from({ length: count }, (_, i) => `X-H${i}: v\r\n`).join('');

/** An origin that counts the requests reaching it, keeps every header and answers how many `X-H…` fields it got. */
async function countingOrigin(handler: http.RequestListener = (req, res) => res.end(String(req.rawHeaders.filter((name, i) => i % 2 === 0 && name.startsWith('X-H')).length))) {
  const server = http.createServer();
  server.maxHeadersCount = 0;
  let reached = 0;
  const started = await startOrigin((req, res) => {
    reached++;
    handler(req, res);
  }, server);
  return { origin: started, reached: () => reached };
}

describe('header limits', () => {
  it('refuses a request with more header fields than maxHeaderCount with 431, records it whole and never forwards it', async () => {
    const counting = await countingOrigin();
    origin = counting.origin;
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const answer = await sendRawRequest(proxy.port, `GET ${origin.url}/many HTTP/1.1\r\nHost: x\r\n${headerLines(2000)}\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    expect(answer).toContain('maxHeaderCount (1000)');
    const exchange = await exchanges.next();
    expect(exchange.request.method).toBe('GET');
    expect(exchange.request.url).toBe(`${origin.url}/many`);
    expect(exchange.request.headers).toHaveLength(2001);
    expect(exchange.response?.statusCode).toBe(431);
    expect(exchange.error?.code).toBe('HEADERS_TOO_LARGE');
    expect(counting.reached()).toBe(0);
  });

  it('forwards and records every header field up to maxHeaderCount', async () => {
    const counting = await countingOrigin();
    origin = counting.origin;
    proxy = await startProxy({ maxHeaderCount: 1500 });
    const exchanges = collectExchanges(proxy.proxy);
    const answer = await sendRawRequest(proxy.port, `GET ${origin.url}/whole HTTP/1.1\r\nHost: x\r\n${headerLines(1400)}Connection: close\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer.split('\r\n\r\n')[1]).toBe('1400');
    expect((await exchanges.next()).request.headers).toHaveLength(1402);
  });

  it('answers 502 naming the limit when the upstream response has more header fields than maxHeaderCount', async () => {
    origin = await startOrigin((_req, res) => {
      const socket = res.socket!;
      socket.end(`HTTP/1.1 200 OK\r\n${Array.from({ length: 1200 }, (_, i) => `a${i}: v\r\n`).join('')}Content-Length: 2\r\n\r\nok`);
    });
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const response = await requestThroughProxy(proxy.port, `${origin.url}/many-back`);
    expect(response.status).toBe(502);
    expect(response.text).toContain('maxHeaderCount (1000)');
    const exchange = await exchanges.next();
    expect(exchange.error?.code).toBe('UPSTREAM_BAD_RESPONSE');
    expect(exchange.response?.statusCode).toBe(502);
  });

  it('makes one exchange, with method and URL, of a request head over maxHeaderSize that arrives in several chunks', async () => {
    origin = await startOrigin();
    proxy = await startProxy({ maxHeaderSize: 2048 });
    const exchanges = collectExchanges(proxy.proxy);
    // 300 kB: the proxy reads it in several chunks, each of which fails to parse again.
    const answer = await sendRawRequest(proxy.port, `GET http://example.test/big?q=1 HTTP/1.1\r\nX-Big: ${'a'.repeat(300_000)}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
    // A later request completes after whatever the oversized head caused.
    await requestThroughProxy(proxy.port, `${origin.url}/after`);
    const all = await exchanges.waitFor(2);
    expect(all.map((exchange) => [exchange.request.method, exchange.request.url, exchange.error?.code])).toEqual([
      ['GET', 'http://example.test/big?q=1', 'HEADERS_TOO_LARGE'],
      ['GET', `${origin.url}/after`, undefined],
    ]);
    expect(exchanges.all).toHaveLength(2);
  });
});
