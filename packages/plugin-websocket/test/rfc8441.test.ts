import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Stage } from '@capture/core';
import { collectExchanges, startProxy, type ExchangeCollector, type TestProxy } from '@capture/core/testing';
import httpsPlugin, { type HttpsApi } from '@capture/plugin-https';
import websocket from '../src/index.js';
import { encodeFrame } from '../src/frames.js';
import { Opcode } from '../src/record.js';

/**
 * RFC 8441 end to end: Node's http2 client opens a WebSocket as an extended CONNECT stream
 * through capture's intercepted TLS; capture forwards it to a `ws` origin as an HTTP/1.1 upgrade.
 */

let dir: string;
let origin: https.Server;
let wss: WebSocketServer;
let proxy: TestProxy;
let caPem: string;
let originPort: number;
let exchanges: ExchangeCollector;
const sessions: http2.ClientHttp2Session[] = [];

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'capture-rfc8441-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', path.join(dir, 'origin.key'), '-out', path.join(dir, 'origin.pem'),
  ], { stdio: 'ignore' });
  origin = https.createServer({ key: readFileSync(path.join(dir, 'origin.key')), cert: readFileSync(path.join(dir, 'origin.pem')) });
  wss = new WebSocketServer({ server: origin, perMessageDeflate: false });
  wss.on('connection', (socket) => {
    socket.send('welcome');
    socket.on('message', (data) => socket.send(`echo ${String(data)}`));
  });
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
  originPort = (origin.address() as AddressInfo).port;
  const httpsInstance = httpsPlugin({ upstreamCa: [path.join(dir, 'origin.pem')] });
  proxy = await startProxy({ dataDir: path.join(dir, 'data'), plugins: [httpsInstance, websocket()] });
  caPem = (httpsInstance.api as HttpsApi).ca!.certPem;
  exchanges = collectExchanges(proxy.proxy);
  proxy.proxy.hooks.onRequest.tapPromise({ name: 'refuser', stage: Stage.TRANSFORM }, async ({ exchange }) =>
    exchange.request.url.endsWith('/refused') ? { statusCode: 403, headers: [['Content-Type', 'text/plain']], body: 'no sockets here' } : undefined,
  );
});

afterAll(async () => {
  for (const session of sessions) session.destroy();
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
  await proxy?.close();
  origin?.closeAllConnections();
  if (origin) await new Promise((resolve) => origin.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

/** An h2 session to the origin through a CONNECT tunnel and capture's TLS (its CA trusted), once its SETTINGS arrived. */
async function h2Session(): Promise<http2.ClientHttp2Session> {
  const tunnel = await new Promise<net.Socket>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: `localhost:${originPort}` });
    req.on('connect', (res, socket) => (res.statusCode === 200 ? resolve(socket) : reject(new Error(`CONNECT answered ${res.statusCode}`))));
    req.on('error', reject);
    req.end();
  });
  const secure = tls.connect({ socket: tunnel, servername: 'localhost', ca: caPem, ALPNProtocols: ['h2'] });
  await once(secure, 'secureConnect');
  expect(secure.alpnProtocol).toBe('h2');
  const session = http2.connect(`https://localhost:${originPort}`, { createConnection: () => secure });
  session.on('error', () => undefined);
  sessions.push(session);
  const [settings] = (await once(session, 'remoteSettings')) as [http2.Settings];
  expect(settings.enableConnectProtocol).toBe(true);
  return session;
}

/** Opens `:protocol websocket` on `path`; resolves with the stream and its response head. */
async function extendedConnect(session: http2.ClientHttp2Session, pathname: string): Promise<{ stream: http2.ClientHttp2Stream; status: number }> {
  const stream = session.request({
    ':method': 'CONNECT',
    ':protocol': 'websocket',
    ':scheme': 'https',
    ':path': pathname,
    ':authority': `localhost:${originPort}`,
    'sec-websocket-version': '13',
  });
  const [head] = (await once(stream, 'response')) as [http2.IncomingHttpHeaders];
  return { stream, status: Number(head[':status']) };
}

/** Reads unmasked server frames (short ones, as this test's origin sends) off the stream. */
function frameReader(stream: http2.ClientHttp2Stream): () => Promise<{ opcode: number; payload: Buffer }> {
  let buffered = Buffer.alloc(0);
  const waiting: Array<() => void> = [];
  stream.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    for (const wake of waiting.splice(0)) wake();
  });
  return async () => {
    while (buffered.length < 2 || buffered.length < 2 + (buffered[1]! & 0x7f)) await new Promise<void>((resolve) => waiting.push(resolve));
    const length = buffered[1]! & 0x7f;
    const frame = { opcode: buffered[0]! & 0x0f, payload: buffered.subarray(2, 2 + length) };
    buffered = buffered.subarray(2 + length);
    return frame;
  };
}

describe('WebSocket over HTTP/2 (RFC 8441)', () => {
  it('answers :status 200, relays messages both ways and records them on the exchange', async () => {
    const session = await h2Session();
    const { stream, status } = await extendedConnect(session, '/chat');
    expect(status).toBe(200);
    const next = frameReader(stream);
    expect(await next()).toMatchObject({ opcode: Opcode.TEXT, payload: Buffer.from('welcome') });
    stream.write(encodeFrame(Opcode.TEXT, Buffer.from('hi'), true));
    expect(String((await next()).payload)).toBe('echo hi');
    const completed = exchanges.next();
    stream.write(encodeFrame(Opcode.CLOSE, Buffer.from([0x03, 0xe8]), true));
    expect((await next()).opcode).toBe(Opcode.CLOSE);
    stream.end();
    const exchange = await completed;
    expect(exchange.request).toMatchObject({ method: 'GET', url: `https://localhost:${originPort}/chat`, httpVersion: '2' });
    expect(exchange.response?.statusCode).toBe(101);
    const record = exchange.websocket!;
    expect(record).toMatchObject({ closeCode: 1000, closedBy: 'client' });
    expect(record.messages.filter((m) => m.opcode === Opcode.TEXT).map((m) => [m.fromClient, m.text])).toEqual([
      [false, 'welcome'],
      [true, 'hi'],
      [false, 'echo hi'],
    ]);
  });

  it('a refused upgrade answers the stream with the refusal status', async () => {
    const session = await h2Session();
    const completed = exchanges.next();
    const { stream, status } = await extendedConnect(session, '/refused');
    expect(status).toBe(403);
    stream.setEncoding('utf8');
    let body = '';
    stream.on('data', (chunk: string) => (body += chunk));
    await once(stream, 'end');
    expect(body).toBe('no sockets here');
    const exchange = await completed;
    expect(exchange.mocked).toBe(true);
    expect(exchange.response?.statusCode).toBe(403);
    expect(exchange.websocket).toBeUndefined();
  });
});
