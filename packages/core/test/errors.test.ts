import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { collectExchanges, requestThroughProxy, sendRawRequest, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;

afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
});

/** A port that was free a moment ago, so nothing listens on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('errors', () => {
  it('answers 502 with a reason when the upstream refuses the connection', async () => {
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const port = await closedPort();
    const res = await requestThroughProxy(proxy.port, `http://127.0.0.1:${port}/`);
    expect(res.status).toBe(502);
    expect(res.text).toContain('refused the connection');
    const exchange = await exchanges.next();
    expect(exchange.error?.code).toBe('UPSTREAM_UNREACHABLE');
    expect(exchange.response?.statusCode).toBe(502);
  });

  it('answers 502 when the host name does not resolve', async () => {
    proxy = await startProxy();
    const res = await requestThroughProxy(proxy.port, 'http://no-such-host.invalid/');
    expect(res.status).toBe(502);
    expect(res.text).toContain('cannot resolve host');
  });

  it('answers 504 when the upstream stays silent past upstreamTimeout', async () => {
    origin = await startOrigin(() => {
      // never answers
    });
    proxy = await startProxy({ upstreamTimeout: 300 });
    const exchanges = collectExchanges(proxy.proxy);
    const res = await requestThroughProxy(proxy.port, `${origin.url}/slow`);
    expect(res.status).toBe(504);
    expect(res.text).toContain('did not respond within 0.3 s');
    expect((await exchanges.next()).error?.code).toBe('UPSTREAM_TIMEOUT');
  });

  it('answers 502 when the upstream sends garbage instead of HTTP', async () => {
    const sockets = new Set<net.Socket>();
    const garbage = net.createServer((socket) => {
      sockets.add(socket);
      socket.end('\x00\x01\x02 not http at all\r\n\r\n');
    });
    await new Promise<void>((resolve) => garbage.listen(0, '127.0.0.1', resolve));
    const { port } = garbage.address() as net.AddressInfo;
    proxy = await startProxy();
    try {
      const res = await requestThroughProxy(proxy.port, `http://127.0.0.1:${port}/`);
      expect(res.status).toBe(502);
      expect(res.text).toContain('malformed HTTP response');
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => garbage.close(() => resolve()));
    }
  });

  it('cuts the client off when the upstream resets mid-body, never faking a complete response', async () => {
    origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'Content-Length': 1000 });
      res.write(Buffer.alloc(100, 'x'));
      setImmediate(() => res.socket?.destroy());
    });
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const outcome = await new Promise<string>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: proxy!.port, path: `${origin!.url}/cut` });
      req.on('response', (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.complete ? 'complete' : 'incomplete'));
        res.on('error', () => resolve('error'));
        res.on('aborted', () => resolve('aborted'));
      });
      req.on('error', () => resolve('error'));
      req.end();
    });
    expect(outcome).not.toBe('complete');
    expect((await exchanges.next()).error?.code).toBe('UPSTREAM_RESET');
  });

  it('answers 400 to a malformed request and 431 to an oversized head, and keeps serving', async () => {
    origin = await startOrigin();
    proxy = await startProxy({ maxHeaderSize: 2048 });
    const exchanges = collectExchanges(proxy.proxy);
    const bad = await sendRawRequest(proxy.port, 'GET http://x/ HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    const huge = await sendRawRequest(proxy.port, `GET http://x/ HTTP/1.1\r\nX-Big: ${'a'.repeat(4096)}\r\n\r\n`);
    expect(huge).toMatch(/^HTTP\/1\.1 431 /);
    const codes = (await exchanges.waitFor(2)).map((exchange) => exchange.error?.code).sort();
    expect(codes).toEqual(['BAD_REQUEST', 'HEADERS_TOO_LARGE']);
    const ok = await requestThroughProxy(proxy.port, `${origin.url}/still-alive`);
    expect(ok.status).toBe(200);
  });

  it('asks for proxy credentials with 407 and forwards once they are given, without leaking them upstream', async () => {
    origin = await startOrigin();
    proxy = await startProxy({ auth: 'alice:s3cret' });
    const denied = await requestThroughProxy(proxy.port, `${origin.url}/a`);
    expect(denied.status).toBe(407);
    expect(denied.headers['proxy-authenticate']).toContain('Basic');
    const wrong = await requestThroughProxy(proxy.port, `${origin.url}/a`, {
      headers: { 'Proxy-Authorization': `Basic ${Buffer.from('alice:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(407);
    const allowed = await requestThroughProxy(proxy.port, `${origin.url}/a`, {
      headers: { 'Proxy-Authorization': `Basic ${Buffer.from('alice:s3cret').toString('base64')}` },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.text.toLowerCase()).not.toContain('proxy-authorization');
  });

  it('does not leak sockets when a client aborts in the middle of an upload', async () => {
    let originSawAbort!: () => void;
    const aborted = new Promise<void>((resolve) => (originSawAbort = resolve));
    origin = await startOrigin((req, res) => {
      if (req.url === '/after') return void res.end('ok');
      req.on('data', () => undefined);
      req.on('close', () => originSawAbort());
    });
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const client = http.request({
      host: '127.0.0.1',
      port: proxy.port,
      method: 'POST',
      path: `${origin.url}/upload`,
      headers: { 'Content-Length': 1_000_000 },
    });
    client.on('error', () => undefined);
    const reachedOrigin = new Promise<void>((resolve) => origin!.server.once('request', () => resolve()));
    client.write(Buffer.alloc(10_000));
    await reachedOrigin;
    client.destroy();
    await aborted;
    expect((await exchanges.next()).error?.code).toBe('CLIENT_ABORTED');
    await vi.waitFor(() => expect(proxy!.proxy.openConnections).toBe(0));
    const ok = await requestThroughProxy(proxy.port, `${origin.url}/after`);
    expect(ok.status).toBe(200);
  });
});
