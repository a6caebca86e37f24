import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureConfig } from '../src/index.js';
import { collectExchanges, requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';
import { localhostCert, localhostKey } from './helpers/fixtures.js';

const cert = localhostCert;
const key = localhostKey;

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
});

/** A CONNECT through the proxy, resolved with the socket once it answered 200. */
function connectThrough(port: number, authority: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'CONNECT', path: authority });
    req.on('connect', (res, socket) => (res.statusCode === 200 ? resolve(socket) : reject(new Error(`CONNECT answered ${res.statusCode}`))));
    req.on('error', reject);
    req.end();
  });
}

/** A cleartext h2 (prior knowledge) session inside a CONNECT tunnel to `originUrl`. */
async function h2cThrough(port: number, originUrl: string): Promise<http2.ClientHttp2Session> {
  const socket = await connectThrough(port, new URL(originUrl).host);
  const session = http2.connect(originUrl, { createConnection: () => socket });
  session.on('error', () => undefined);
  cleanups.push(() => session.destroy());
  return session;
}

/** One request on a session: status, body, or the stream's error code. */
function get(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders): Promise<{ status: number; body: string; error?: string }> {
  return new Promise((resolve) => {
    const stream = session.request(headers);
    let status = 0;
    let body = '';
    stream.on('response', (head) => (status = Number(head[':status'])));
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => (body += chunk));
    stream.on('end', () => resolve({ status, body }));
    stream.on('error', (error: Error & { code?: string }) => resolve({ status, body, error: `${error.code ?? ''} ${error.message}` }));
    stream.end();
  });
}

describe('HTTP/2 faults', () => {
  it("an origin's GOAWAY lets the stream in flight finish; the next request opens a new session", async () => {
    const server = http2.createSecureServer({ cert, key });
    const sessions: http2.ServerHttp2Session[] = [];
    let release: (() => void) | undefined;
    server.on('session', (session) => sessions.push(session));
    server.on('stream', (stream, headers) => {
      stream.respond({ ':status': 200 });
      if (headers[':path'] === '/slow') {
        stream.write('first half, ');
        release = () => stream.end('second half');
      } else stream.end(`fresh on session ${sessions.indexOf(stream.session as http2.ServerHttp2Session) + 1}`);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    cleanups.push(() => sessions.forEach((session) => session.destroy()));
    const port = (server.address() as net.AddressInfo).port;

    proxy = await startProxy();
    proxy.proxy.setUpstreamTls({ ca: [cert] });
    const exchanges = collectExchanges(proxy.proxy);
    // The https plugin's part, done by hand: terminate TLS, say the origin chose h2.
    proxy.proxy.hooks.onConnect.tap('terminate', (context) => {
      const secure = new tls.TLSSocket(context.accept(), { isServer: true, cert, key });
      proxy!.proxy.handleConnection(secure, { secure: true, hostname: context.hostname, port: context.port, upstreamProtocol: 'h2' });
      return true;
    });
    const open = async () => {
      const socket = await connectThrough(proxy!.port, `localhost:${port}`);
      return tls.connect({ socket, servername: 'localhost', ca: cert });
    };
    const request = (socket: tls.TLSSocket, path: string, onFirstBytes?: () => void) =>
      new Promise<string>((resolve, reject) => {
        let text = '';
        socket.on('data', (chunk: Buffer) => {
          const first = text === '';
          text += chunk.toString();
          if (first) onFirstBytes?.();
        });
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
        socket.write(`GET ${path} HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`);
      });

    const slowSocket = await open();
    let sawFirstBytes!: () => void;
    const firstBytes = new Promise<void>((resolve) => (sawFirstBytes = resolve));
    const slow = request(slowSocket, '/slow', sawFirstBytes);
    await firstBytes;
    // Graceful close: GOAWAY naming the stream in flight as processed.
    sessions[0]!.close();
    release!();
    expect(await slow).toMatch(/first half, .*second half/s);
    const fresh = await request(await open(), '/fresh');
    expect(fresh).toContain('200');
    expect(fresh).toContain('fresh on session 2');
    expect(sessions).toHaveLength(2);
    const captured = await exchanges.waitFor(2);
    for (const exchange of captured) expect([exchange.error, exchange.response?.statusCode, exchange.response?.httpVersion]).toEqual([undefined, 200, '2']);
  });

  it('a header list over the limit gets 431 or a stream error, never a crash; the next stream on the connection works', async () => {
    origin = await startOrigin();
    proxy = await startProxy({ maxHeaderSize: 4096, maxHeaderCount: 20 } satisfies CaptureConfig);
    const session = await h2cThrough(proxy.port, origin.url);
    const tooLarge = await get(session, { ':path': '/large', 'x-big': 'a'.repeat(8192) });
    // node:http2 only advertises maxHeaderListSize: capture measures the list itself.
    expect([tooLarge.status, tooLarge.body]).toEqual([431, 'capture: request header list larger than 4096 bytes\n']);
    const manyFields: http2.OutgoingHttpHeaders = { ':path': '/many' };
    for (let i = 0; i < 24; i++) manyFields[`x-field-${i}`] = 'v';
    const tooMany = await get(session, manyFields);
    expect(tooMany.status).toBe(431);
    expect(tooMany.body).toMatch(/header fields/);
    const farTooMany: http2.OutgoingHttpHeaders = { ':path': '/far-too-many' };
    for (let i = 0; i < 200; i++) farTooMany[`x-field-${i}`] = 'v';
    const refused = await get(session, farTooMany);
    expect(refused.status === 431 || refused.error !== undefined).toBe(true);
    const next = await get(session, { ':path': '/after' });
    expect([next.status, (JSON.parse(next.body) as { url: string }).url]).toEqual([200, '/after']);
    // And the proxy serves everyone else.
    expect((await requestThroughProxy(proxy.port, `${origin.url}/other`)).status).toBe(200);
  });

  it('maxConcurrentStreams is advertised and enforced: a client keeping to it is served, one exceeding it loses only its own connection', async () => {
    const held: Array<() => void> = [];
    const server = http.createServer((req, res) => {
      if (req.url === '/hold') held.push(() => res.end('held'));
      else res.end('free');
    });
    origin = await startOrigin(() => undefined, server);
    proxy = await startProxy({ maxConcurrentStreams: 2 });
    const authority = new URL(origin.url).host;

    // Five streams at once from Node's client: those sent before it read the limit are refused
    // (REFUSED_STREAM, safe to retry), the rest answered; once it knows, it queues beyond the limit.
    const polite = await h2cThrough(proxy.port, origin.url);
    const answers = await Promise.all([1, 2, 3, 4, 5].map((n) => get(polite, { ':path': `/free?${n}` })));
    for (const answer of answers) expect(answer.status === 200 || /REFUSED_STREAM|ERR_HTTP2_STREAM_ERROR/.test(answer.error ?? '')).toBe(true);
    expect(answers.filter((answer) => answer.status === 200).length).toBeGreaterThanOrEqual(2);
    const retried = await Promise.all([1, 2, 3, 4, 5].map((n) => get(polite, { ':path': `/free?again-${n}` })));
    expect(retried.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);

    // A client that ignores it: five streams at once on a connection whose limit is two.
    const socket = await connectThrough(proxy.port, authority);
    cleanups.push(() => socket.destroy());
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const frames = frameReader(socket);
    socket.write(Buffer.concat([Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), frame(0x4, 0, 0, Buffer.alloc(0))]));
    const settings = await frames.next((f) => f.type === 0x4 && (f.flags & 1) === 0);
    expect(settingsOf(settings.payload).get(0x3)).toBe(2);
    socket.write(frame(0x4, 1, 0, Buffer.alloc(0)));
    await frames.next((f) => f.type === 0x4 && (f.flags & 1) === 1);
    socket.write(Buffer.concat([1, 3, 5, 7, 9].map((id) => frame(0x1, 0x5, id, requestBlock('/hold', authority)))));
    // nghttp2 treats it as a connection error: the connection ends (it never hangs), no stream beyond the limit reaches the origin.
    await closed;
    expect(held.length).toBeLessThanOrEqual(2);
    for (const end of held) end();
    // Everyone else goes on: the polite session and a new request.
    expect((await get(polite, { ':path': '/free?after' })).status).toBe(200);
    expect((await requestThroughProxy(proxy.port, `${origin.url}/other`)).status).toBe(200);
  });
});

interface Frame {
  type: number;
  flags: number;
  stream: number;
  payload: Buffer;
}

function frame(type: number, flags: number, stream: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(9);
  head.writeUIntBE(payload.length, 0, 3);
  head[3] = type;
  head[4] = flags;
  head.writeUInt32BE(stream, 5);
  return Buffer.concat([head, payload]);
}

/** An HPACK block for `GET http://authority path`: static-table method and scheme, literal (not indexed) path and authority. */
function requestBlock(path: string, authority: string): Buffer {
  const literal = (index: number, value: string) => Buffer.concat([Buffer.from([index, value.length]), Buffer.from(value, 'latin1')]);
  return Buffer.concat([Buffer.from([0x82, 0x86]), literal(0x04, path), literal(0x01, authority)]);
}

function settingsOf(payload: Buffer): Map<number, number> {
  const settings = new Map<number, number>();
  for (let i = 0; i + 6 <= payload.length; i += 6) settings.set(payload.readUInt16BE(i), payload.readUInt32BE(i + 2));
  return settings;
}

/** Parses frames off a socket; `next` resolves with the first (already seen or later) frame matching. */
function frameReader(socket: net.Socket) {
  let buffer = Buffer.alloc(0);
  const seen: Frame[] = [];
  const waiters: Array<{ match: (f: Frame) => boolean; resolve: (f: Frame) => void }> = [];
  socket.on('data', (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    while (buffer.length >= 9) {
      const length = buffer.readUIntBE(0, 3);
      if (buffer.length < 9 + length) break;
      const parsed: Frame = { type: buffer[3]!, flags: buffer[4]!, stream: buffer.readUInt32BE(5) & 0x7fffffff, payload: buffer.subarray(9, 9 + length) };
      buffer = buffer.subarray(9 + length);
      seen.push(parsed);
      for (const waiter of waiters.splice(0)) {
        if (waiter.match(parsed)) waiter.resolve(parsed);
        else waiters.push(waiter);
      }
    }
  });
  return {
    next(match: (f: Frame) => boolean): Promise<Frame> {
      const known = seen.find(match);
      if (known) return Promise.resolve(known);
      return new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}
