import { randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import {
  collectExchanges,
  requestThroughProxy,
  sendRawRequest,
  startOrigin,
  startProxy,
  type ExchangeCollector,
  type TestOrigin,
  type TestProxy,
} from '../../src/testing/index.js';
import { expectHealthy, expectWhole, openFds } from './health.js';

let proxy: TestProxy;
let origin: TestOrigin;
let exchanges: ExchangeCollector;
let fdBaseline: number;
const extraServers: net.Server[] = [];

/** Routes of the origin that misbehave on purpose. */
function misbehavingOrigin(req: http.IncomingMessage, res: http.ServerResponse): void {
  switch (new URL(req.url ?? '/', 'http://x').pathname) {
    case '/reset-mid-body':
      res.writeHead(200, { 'Content-Length': 100_000 });
      res.write(Buffer.alloc(10_000, 'a'));
      setImmediate(() => res.socket?.destroy());
      return;
    case '/reset-mid-chunked':
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('partial');
      setImmediate(() => res.socket?.destroy());
      return;
    case '/silent':
      return;
    case '/big':
      res.writeHead(200, { 'Content-Length': 50 * 1024 * 1024 });
      res.write(Buffer.alloc(1024 * 1024));
      // The rest follows only while the client keeps reading.
      res.on('drain', () => res.write(Buffer.alloc(1024 * 1024)));
      return;
    default:
      req.resume();
      req.on('end', () => res.end('ok'));
  }
}

beforeEach(async () => {
  origin = await startOrigin(misbehavingOrigin);
  proxy = await startProxy({ upstreamTimeout: 500, headersTimeout: 1000 });
  exchanges = collectExchanges(proxy.proxy);
  fdBaseline = openFds();
});

afterEach(async () => {
  await expectHealthy(proxy.proxy, proxy.port, origin, fdBaseline);
  exchanges.all.forEach(expectWhole);
  await proxy.close();
  await origin.close();
  for (const server of extraServers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function rawServer(onSocket: (socket: net.Socket) => void): Promise<number> {
  const server = net.createServer((socket) => {
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  extraServers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

/** Reads a response through the proxy and says how it ended. */
function readOutcome(path: string, onResponse?: (res: http.IncomingMessage) => void): Promise<{ status: number; complete: boolean; bytes: number }> {
  return new Promise((resolve) => {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, path, agent: false });
    req.on('response', (res) => {
      let bytes = 0;
      onResponse?.(res);
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      const done = () => resolve({ status: res.statusCode ?? 0, complete: res.complete, bytes });
      res.on('end', done);
      res.on('error', done);
      res.on('close', done);
    });
    req.on('error', () => resolve({ status: 0, complete: false, bytes: 0 }));
    req.end();
  });
}

describe('slow and broken clients', () => {
  it('cuts a slowloris header trickle at the header timeout while serving others', async () => {
    const socket = net.connect(proxy.port, '127.0.0.1');
    socket.on('error', () => undefined);
    const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now())));
    const started = Date.now();
    socket.write('GET http://example.test/ HTTP/1.1\r\nX-Slow: ');
    const trickle = setInterval(() => socket.writable && socket.write('a'), 100);
    const others = await Promise.all([1, 2, 3].map(() => requestThroughProxy(proxy.port, `${origin.url}/other`)));
    expect(others.map((res) => res.status)).toEqual([200, 200, 200]);
    const closedAt = await closed;
    clearInterval(trickle);
    expect(closedAt - started).toBeLessThan(5000);
  });

  it('defaults to cutting slow header clients within 30 s and silent upstreams at 60 s', () => {
    const defaults = resolveConfig({});
    expect(defaults.headersTimeout).toBe(30_000);
    expect(defaults.upstreamTimeout).toBe(60_000);
  });

  it('recovers from a client that aborts mid-upload', async () => {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'POST', path: `${origin.url}/upload`, headers: { 'Content-Length': 10_000_000 }, agent: false });
    req.on('error', () => undefined);
    const forwarded = new Promise<void>((resolve) => origin.server.once('request', () => resolve()));
    req.write(Buffer.alloc(100_000));
    await forwarded;
    req.destroy();
    expect((await exchanges.next()).error?.code).toBe('CLIENT_ABORTED');
  });

  it('recovers from a client that aborts mid-download', async () => {
    const outcome = await readOutcome(`${origin.url}/big`, (res) => res.once('data', () => res.destroy()));
    expect(outcome.complete).toBe(false);
    expect((await exchanges.next()).error?.code).toBe('CLIENT_ABORTED');
  });
});

describe('broken upstreams', () => {
  it('shows the cut when an upstream resets mid-body (Content-Length)', async () => {
    const outcome = await readOutcome(`${origin.url}/reset-mid-body`);
    expect(outcome.complete).toBe(false);
    expect(outcome.bytes).toBeLessThan(100_000);
    expect((await exchanges.next()).error?.code).toBe('UPSTREAM_RESET');
  });

  it('shows the cut when an upstream resets mid-body (chunked)', async () => {
    const outcome = await readOutcome(`${origin.url}/reset-mid-chunked`);
    expect(outcome.complete).toBe(false);
    expect((await exchanges.next()).error?.code).toBe('UPSTREAM_RESET');
  });

  it.each([
    ['a malformed response', 'HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n'],
    ['a binary response', randomBytes(512)],
  ])('answers 502 to %s', async (_name, reply) => {
    const port = await rawServer((socket) => socket.once('data', () => socket.end(reply)));
    const res = await requestThroughProxy(proxy.port, `http://127.0.0.1:${port}/`);
    expect(res.status).toBe(502);
  });

  it('answers 504 within the configured timeout when the upstream never answers', async () => {
    const started = Date.now();
    const res = await requestThroughProxy(proxy.port, `${origin.url}/silent`);
    expect(res.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('hostile input', () => {
  it.each([
    ['Content-Length with Transfer-Encoding', 'POST http://x.test/ HTTP/1.1\r\nHost: x.test\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['duplicate Content-Length', 'POST http://x.test/ HTTP/1.1\r\nHost: x.test\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde'],
    ['a bad chunk size', 'POST http://x.test/ HTTP/1.1\r\nHost: x.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'],
    ['an obfuscated Transfer-Encoding', 'POST http://x.test/ HTTP/1.1\r\nHost: x.test\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: x\r\n\r\n0\r\n\r\n'],
  ])('refuses %s with 400 and forwards nothing', async (_name, raw) => {
    let forwarded = 0;
    origin.server.on('request', () => forwarded++);
    const reply = await sendRawRequest(proxy.port, raw);
    expect(reply.startsWith('HTTP/1.1 400 ') || reply === '').toBe(true);
    expect(reply).not.toContain('200 OK');
    expect(forwarded).toBe(0);
  });

  it('answers 431 to oversized headers', async () => {
    const reply = await sendRawRequest(proxy.port, `GET ${origin.url}/ HTTP/1.1\r\nX-Huge: ${'h'.repeat(64 * 1024)}\r\n\r\n`);
    expect(reply).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('survives random bytes thrown at the port', async () => {
    for (let i = 0; i < 20; i++) await sendRawRequest(proxy.port, randomBytes(200 + i * 50), 500);
  });

  it('survives truncated TLS handshakes on the plain port and through a tunnel', async () => {
    const clientHelloStart = Buffer.from('160301020001000200', 'hex');
    expect(await sendRawRequest(proxy.port, clientHelloStart, 500)).toMatch(/^(HTTP\/1\.1 400 |)/);
    const tlsPort = await rawServer((socket) => socket.on('data', () => socket.destroy()));
    const tunnel = await sendRawRequest(proxy.port, Buffer.concat([Buffer.from(`CONNECT 127.0.0.1:${tlsPort} HTTP/1.1\r\n\r\n`), clientHelloStart]), 500);
    expect(tunnel).toContain('200 Connection Established');
  });
});
