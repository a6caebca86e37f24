import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { Stage, type Exchange } from '@capture/core';
import { toStoredExchange } from '@capture/core/record';
import { collectExchanges, startProxy, type ExchangeCollector, type TestProxy } from '@capture/core/testing';
import filters from '@capture/plugin-filters';
import httpsPlugin, { type HttpsApi } from '@capture/plugin-https';
import websocket from '../src/index.js';
import { absoluteFormClient, nextMessage } from './harness.js';

/**
 * WebSocket capture end to end: `ws` clients and servers through a real capture proxy (core,
 * this plugin, the HTTPS plugin, the filters plugin) on every path a client takes.
 */

let dir: string;
let plainOrigin: http.Server;
let tlsOrigin: https.Server;
let servers: WebSocketServer[] = [];
let proxy: TestProxy;
let caPem: string;
let exchanges: ExchangeCollector;
let onSkipped: ((exchange: Exchange) => void) | undefined;

/** An echo `ws` server on `server`, with permessage-deflate. */
function echoOn(server: http.Server): void {
  const wss = new WebSocketServer({ server, perMessageDeflate: { threshold: 0 } });
  wss.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
  servers.push(wss);
}

async function listen(server: http.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

let plainPort: number;
let tlsPort: number;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'capture-ws-proxy-'));
  // The wss origin's own self-signed certificate, trusted by capture as an upstream CA.
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', path.join(dir, 'origin.key'), '-out', path.join(dir, 'origin.pem'),
  ], { stdio: 'ignore' });
  plainOrigin = http.createServer((_req, res) => res.end('not a websocket'));
  echoOn(plainOrigin);
  plainPort = await listen(plainOrigin);
  tlsOrigin = https.createServer({ key: readFileSync(path.join(dir, 'origin.key')), cert: readFileSync(path.join(dir, 'origin.pem')) });
  echoOn(tlsOrigin);
  tlsPort = await listen(tlsOrigin);
  const httpsInstance = httpsPlugin({ upstreamCa: [path.join(dir, 'origin.pem')] });
  proxy = await startProxy({
    dataDir: path.join(dir, 'data'),
    plugins: [httpsInstance, websocket(), filters({ exclude: [/\/excluded/] })],
  });
  caPem = (httpsInstance.api as HttpsApi).ca!.certPem;
  exchanges = collectExchanges(proxy.proxy);
  proxy.proxy.hooks.onSkipped.tap('test', (exchange) => onSkipped?.(exchange));
  // A plugin that refuses one upgrade with its own answer.
  proxy.proxy.hooks.onRequest.tapPromise({ name: 'refuser', stage: Stage.TRANSFORM }, async ({ exchange }) =>
    exchange.request.url.endsWith('/refused') ? { statusCode: 403, headers: [['Content-Type', 'text/plain']], body: 'no sockets here' } : undefined,
  );
});

afterAll(async () => {
  for (const wss of servers) {
    for (const client of wss.clients) client.terminate();
    wss.close();
  }
  servers = [];
  await proxy?.close();
  plainOrigin?.closeAllConnections();
  tlsOrigin?.closeAllConnections();
  await Promise.all([plainOrigin, tlsOrigin].map((server) => server && new Promise((resolve) => server.close(resolve))));
  rmSync(dir, { recursive: true, force: true });
});

function absoluteForm(url: string): WebSocket {
  return absoluteFormClient(proxy.port, url);
}

/** Opens a CONNECT tunnel through the proxy and resolves with the socket. */
function connectTunnel(authority: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxy.port, method: 'CONNECT', path: authority });
    req.on('connect', (res, socket, head) => {
      if (res.statusCode !== 200) return reject(new Error(`CONNECT answered ${res.statusCode}`));
      if (head.length) socket.unshift(head);
      resolve(socket);
    });
    req.on('error', reject);
    req.end();
  });
}

async function opened(ws: WebSocket): Promise<void> {
  await Promise.race([once(ws, 'open'), once(ws, 'error').then(([error]) => Promise.reject(error as Error))]);
}

/** Sends a text and a binary message, checks the echoes, closes with 1000 and returns the completed exchange. */
async function talk(ws: WebSocket, urlSuffix: string): Promise<Exchange> {
  await opened(ws);
  ws.send('hello text');
  expect((await nextMessage(ws)).data.toString()).toBe('hello text');
  ws.send(Buffer.from([0, 1, 2, 255]), { binary: true });
  expect([...(await nextMessage(ws)).data]).toEqual([0, 1, 2, 255]);
  const completed = exchanges.next();
  ws.close(1000, 'bye');
  const exchange = await completed;
  expect(exchange.request.url.endsWith(urlSuffix)).toBe(true);
  return exchange;
}

function expectRecorded(exchange: Exchange): void {
  expect(exchange.response?.statusCode).toBe(101);
  const record = exchange.websocket!;
  expect(record).toMatchObject({ closeCode: 1000, closeReason: 'bye', closedBy: 'client', droppedMessages: 0 });
  const data = record.messages.filter((m) => m.opcode === 1 || m.opcode === 2);
  expect(data.map((m) => [m.fromClient, m.opcode, m.text ?? m.base64])).toEqual([
    [true, 1, 'hello text'],
    [false, 1, 'hello text'],
    [true, 2, Buffer.from([0, 1, 2, 255]).toString('base64')],
    [false, 2, Buffer.from([0, 1, 2, 255]).toString('base64')],
  ]);
  expect(exchange.timings.total).toBeGreaterThanOrEqual(exchange.timings.firstByte ?? 0);
  expect(toStoredExchange(exchange).websocket).toEqual(record);
}

describe('WebSocket capture through the proxy', () => {
  it('ws:// by absolute-form upgrade, permessage-deflate negotiated: every message on exchange.websocket', async () => {
    const ws = absoluteForm(`ws://127.0.0.1:${plainPort}/chat?room=1`);
    const exchange = await talk(ws, '/chat?room=1');
    expect(ws.extensions).toContain('permessage-deflate');
    expect(exchange.request.url).toBe(`http://127.0.0.1:${plainPort}/chat?room=1`);
    expect(exchange.tls).toBe(false);
    expectRecorded(exchange);
  });

  it('ws:// through CONNECT host:port (as browsers do), permessage-deflate', async () => {
    const tunnel = await connectTunnel(`127.0.0.1:${plainPort}`);
    const ws = new WebSocket(`ws://127.0.0.1:${plainPort}/tunnelled`, { perMessageDeflate: true, createConnection: () => tunnel });
    const exchange = await talk(ws, '/tunnelled');
    expect(ws.extensions).toContain('permessage-deflate');
    expectRecorded(exchange);
  });

  it("wss:// through HTTPS interception with capture's CA trusted", async () => {
    const tunnel = await connectTunnel(`localhost:${tlsPort}`);
    const ws = new WebSocket(`wss://localhost:${tlsPort}/secure`, {
      perMessageDeflate: true,
      createConnection: () => tls.connect({ socket: tunnel, servername: 'localhost', ca: caPem, ALPNProtocols: ['http/1.1'] }),
    });
    const exchange = await talk(ws, '/secure');
    expect(exchange.tls).toBe(true);
    expect(exchange.request.url).toBe(`https://localhost:${tlsPort}/secure`);
    expectRecorded(exchange);
  });

  it("an upgrade refused by a plugin's onRequest mock is an ordinary exchange, never sent upstream", async () => {
    const ws = absoluteForm(`ws://127.0.0.1:${plainPort}/refused`);
    const completed = exchanges.next();
    const [, response] = (await once(ws, 'unexpected-response')) as [unknown, http.IncomingMessage];
    expect(response.statusCode).toBe(403);
    let body = '';
    for await (const chunk of response) body += String(chunk);
    expect(body).toBe('no sockets here');
    const exchange = await completed;
    expect(exchange).toMatchObject({ mocked: true, response: { statusCode: 403 } });
    expect(exchange.response?.body?.bytes.toString()).toBe('no sockets here');
    expect(exchange.websocket).toBeUndefined();
  });

  it('an origin that declines the upgrade gives an ordinary exchange with its body', async () => {
    // ws answers an unsupported Sec-WebSocket-Version with 400 and a short text.
    const answer = await rawUpgrade(`http://127.0.0.1:${plainPort}/declined`, { 'Sec-WebSocket-Version': '99' });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    const exchange = await exchanges.next();
    expect(exchange.request.url).toContain('/declined');
    expect(exchange.response?.statusCode).toBe(400);
    const body = exchange.response?.body?.bytes.toString() ?? '';
    expect(body.length).toBeGreaterThan(0);
    expect(answer.endsWith(body)).toBe(true);
    expect(exchange.websocket).toBeUndefined();
  });

  it('a filter exclude on the upgrade URL leaves it unrecorded but working', async () => {
    const skippedOne = new Promise<Exchange>((resolve) => (onSkipped = resolve));
    const ws = absoluteForm(`ws://127.0.0.1:${plainPort}/excluded`);
    await opened(ws);
    ws.send('still works');
    expect((await nextMessage(ws)).data.toString()).toBe('still works');
    ws.close(1000);
    await once(ws, 'close');
    const exchange = await skippedOne;
    expect(exchange.request.url).toContain('/excluded');
    expect(exchange.skip?.by).toBe('filters');
    expect(exchange.websocket).toBeUndefined();
  });
});

/** Sends one raw upgrade request in absolute form and resolves with everything the proxy answered. */
function rawUpgrade(url: string, extra: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxy.port, '127.0.0.1', () => {
      const target = new URL(url);
      const headers = { Host: target.host, Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version': '13', ...extra };
      socket.write(`GET ${url} HTTP/1.1\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
    });
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(answer));
    socket.on('error', reject);
  });
}
