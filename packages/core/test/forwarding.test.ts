import http from 'node:http';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { collectExchanges, requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

let proxy: TestProxy;
let origin: TestOrigin;

afterEach(async () => {
  await proxy?.close();
  await origin?.close();
});

interface Echo {
  method: string;
  url: string;
  rawHeaders: string[];
  body: string;
}

describe('forwarding HTTP/1.1', () => {
  it('forwards a GET and reports the exchange', async () => {
    origin = await startOrigin();
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const res = await requestThroughProxy(proxy.port, `${origin.url}/x?y=1`);
    expect(res.status).toBe(200);
    const echo = JSON.parse(res.text) as Echo;
    expect(echo.url).toBe('/x?y=1');
    const exchange = await exchanges.next();
    expect(exchange.request.method).toBe('GET');
    expect(exchange.request.url).toBe(`${origin.url}/x?y=1`);
    expect(exchange.response?.statusCode).toBe(200);
    expect(exchange.response?.body?.bytes.toString()).toBe(res.text);
    expect(exchange.sizes.responseBody).toBe(res.body.length);
    expect(exchange.timings.firstByte).toBeGreaterThan(0);
    expect(exchange.timings.total).toBeGreaterThanOrEqual(exchange.timings.firstByte!);
    expect(exchange.client.address).toBe('127.0.0.1');
    expect(exchange.tls).toBe(false);
    expect(exchange.error).toBeUndefined();
  });

  it.each(['POST', 'PUT', 'PATCH', 'DELETE'])('forwards %s with a Content-Length body', async (method) => {
    origin = await startOrigin();
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const body = JSON.stringify({ hello: method });
    const res = await requestThroughProxy(proxy.port, `${origin.url}/items`, {
      method,
      body,
      headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
    });
    const echo = JSON.parse(res.text) as Echo;
    expect(echo.method).toBe(method);
    expect(echo.body).toBe(body);
    const exchange = await exchanges.next();
    expect(exchange.request.body?.bytes.toString()).toBe(body);
    expect(exchange.sizes.requestBody).toBe(body.length);
  });

  it.each(['POST', 'DELETE'])('re-frames a chunked %s body for the next hop', async (method) => {
    origin = await startOrigin();
    proxy = await startProxy();
    const text = await new Promise<string>((resolve, reject) => {
      const req = http.request({ port: proxy.port, host: '127.0.0.1', method, path: `${origin.url}/chunks`, headers: { 'Transfer-Encoding': 'chunked' } });
      req.on('response', (res) => {
        let data = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (data += chunk));
        res.on('end', () => resolve(data));
      });
      req.on('error', reject);
      req.write('first,');
      setImmediate(() => req.end('second'));
    });
    const echo = JSON.parse(text) as Echo;
    expect(echo.body).toBe('first,second');
    // Transfer-Encoding is hop-by-hop: the next hop gets its own framing, chunked or an exact length.
    const headers = new Map<string, string>();
    for (let i = 0; i < echo.rawHeaders.length; i += 2) headers.set(echo.rawHeaders[i]!.toLowerCase(), echo.rawHeaders[i + 1]!);
    expect(headers.get('transfer-encoding') === 'chunked' || headers.get('content-length') === '12').toBe(true);
  });

  it('streams a chunked response without a length back to the client', async () => {
    origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('a');
      setImmediate(() => res.end('b'));
    });
    proxy = await startProxy();
    const res = await requestThroughProxy(proxy.port, `${origin.url}/`);
    expect(res.text).toBe('ab');
    expect(res.headers['transfer-encoding']).toBe('chunked');
  });

  it('removes hop-by-hop headers and keeps the case and order of the others', async () => {
    origin = await startOrigin();
    proxy = await startProxy();
    const res = await requestThroughProxy(proxy.port, `${origin.url}/h`, {
      headers: [
        'X-First', '1',
        'Connection', 'keep-alive, X-Secret',
        'X-Secret', 'hop',
        'Keep-Alive', 'timeout=5',
        'Proxy-Connection', 'keep-alive',
        'TE', 'trailers',
        'x-MiXeD-CaSe', '2',
        'X-Last', '3',
      ],
    });
    const echo = JSON.parse(res.text) as Echo;
    const names = echo.rawHeaders.filter((_, index) => index % 2 === 0);
    expect(names).not.toContain('X-Secret');
    expect(names).not.toContain('Keep-Alive');
    expect(names).not.toContain('Proxy-Connection');
    expect(names).not.toContain('TE');
    const custom = names.filter((name) => name.toLowerCase().startsWith('x-'));
    expect(custom).toEqual(['X-First', 'x-MiXeD-CaSe', 'X-Last']);
  });

  it('reuses connections on both sides with keep-alive', async () => {
    origin = await startOrigin();
    proxy = await startProxy();
    let proxyConnections = 0;
    const counting = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const originalCreate = counting.createConnection.bind(counting);
    counting.createConnection = ((...args: Parameters<typeof originalCreate>) => {
      proxyConnections++;
      return originalCreate(...args);
    }) as typeof counting.createConnection;
    for (let i = 0; i < 5; i++) {
      const res = await requestThroughProxy(proxy.port, `${origin.url}/k${i}`, { agent: counting });
      expect(res.status).toBe(200);
    }
    counting.destroy();
    expect(proxyConnections).toBe(1);
    expect(origin.connections).toBe(1);
  });

  it('relays Expect: 100-continue from the upstream', async () => {
    origin = await startOrigin();
    proxy = await startProxy();
    const result = await new Promise<{ continued: boolean; text: string }>((resolve, reject) => {
      let continued = false;
      const req = http.request({
        host: '127.0.0.1',
        port: proxy.port,
        method: 'POST',
        path: `${origin.url}/upload`,
        headers: { Expect: '100-continue', 'Content-Length': 5 },
      });
      req.on('continue', () => {
        continued = true;
        req.end('hello');
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ continued, text }));
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(result.continued).toBe(true);
    expect((JSON.parse(result.text) as Echo).body).toBe('hello');
  });

  it('forwards compressed bodies untouched but captures them decoded', async () => {
    const plain = JSON.stringify({ message: 'hello '.repeat(100) });
    const gzipped = zlib.gzipSync(plain);
    origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip', 'Content-Length': gzipped.length });
      res.end(gzipped);
    });
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const res = await requestThroughProxy(proxy.port, `${origin.url}/z`);
    expect(res.body.equals(gzipped)).toBe(true);
    const exchange = await exchanges.next();
    expect(exchange.response?.body?.decoded).toBe(true);
    expect(exchange.response?.body?.contentEncoding).toBe('gzip');
    expect(exchange.response?.body?.bytes.toString()).toBe(plain);
    expect(exchange.response?.body?.size).toBe(gzipped.length);
  });

  it('captures at most maxBodySize bytes and flags the truncation', async () => {
    const big = Buffer.alloc(4096, 'a');
    origin = await startOrigin((_req, res) => res.end(big));
    proxy = await startProxy({ maxBodySize: 1000 });
    const exchanges = collectExchanges(proxy.proxy);
    const res = await requestThroughProxy(proxy.port, `${origin.url}/big`);
    expect(res.body.length).toBe(4096);
    const exchange = await exchanges.next();
    expect(exchange.response?.body?.bytes.length).toBe(1000);
    expect(exchange.response?.body?.truncated).toBe(true);
    expect(exchange.sizes.responseBody).toBe(4096);
  });

  it('serves its own page to requests addressed to the proxy instead of looping', async () => {
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const direct = await requestThroughProxy(proxy.port, '/');
    expect(direct.status).toBe(200);
    expect(direct.text).toContain(`capture ${proxy.proxy.version}`);
    const absolute = await requestThroughProxy(proxy.port, `http://127.0.0.1:${proxy.port}/`, { headers: { Accept: 'text/html' } });
    expect(absolute.status).toBe(200);
    expect(absolute.headers['content-type']).toContain('text/html');
    expect(absolute.text).toContain('capture');
    expect(exchanges.all).toHaveLength(0);
  });
});
