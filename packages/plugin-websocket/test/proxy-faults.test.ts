import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { collectExchanges, startProxy, type ExchangeCollector, type TestProxy } from '@capture/core/testing';
import websocket, { encodeFrame } from '../src/index.js';
import { absoluteFormClient, nextMessage, readAll } from './harness.js';

/**
 * Faults through the real proxy (core's upgrade path, this plugin's relay): a peer that vanishes
 * mid-message leaves a complete record of what arrived; an invalid frame closes the connection
 * with the right code, recorded as closed by the proxy; the other connections never notice.
 */

let origin: http.Server;
let wss: WebSocketServer;
let proxy: TestProxy;
let exchanges: ExchangeCollector;
let originPort: number;
const sockets = new Set<Socket>();

beforeEach(async () => {
  origin = http.createServer();
  wss = new WebSocketServer({ server: origin, perMessageDeflate: false });
  wss.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
  originPort = (origin.address() as AddressInfo).port;
  proxy = await startProxy({ plugins: [websocket()] });
  exchanges = collectExchanges(proxy.proxy);
});

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  for (const client of wss.clients) client.terminate();
  wss.close();
  await proxy.close();
  origin.closeAllConnections();
  await new Promise((resolve) => origin.close(resolve));
});

const socketOf = (ws: WebSocket): Socket => (ws as unknown as { _socket: Socket })._socket;

/** A raw TCP client that upgrades through the proxy in absolute form; resolves with the socket after the 101. */
async function rawThroughProxy(pathname: string): Promise<{ socket: Socket; rest: Buffer }> {
  const socket = net.connect(proxy.port, '127.0.0.1');
  sockets.add(socket);
  await once(socket, 'connect');
  socket.write(
    `GET http://127.0.0.1:${originPort}${pathname} HTTP/1.1\r\nHost: 127.0.0.1:${originPort}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  let buffered = Buffer.alloc(0);
  while (!buffered.includes('\r\n\r\n')) {
    const [chunk] = (await once(socket, 'data')) as [Buffer];
    buffered = Buffer.concat([buffered, chunk]);
  }
  socket.pause();
  const end = buffered.indexOf('\r\n\r\n') + 4;
  expect(buffered.subarray(0, end).toString('latin1')).toMatch(/^HTTP\/1\.1 101 /);
  return { socket, rest: buffered.subarray(end) };
}

/** A `ws` client through the proxy, open. */
async function wsThroughProxy(pathname: string): Promise<WebSocket> {
  const ws = absoluteFormClient(proxy.port, `ws://127.0.0.1:${originPort}${pathname}`, { perMessageDeflate: false });
  await once(ws, 'open');
  return ws;
}

/** Resolves with the origin's side of the next connection. */
const nextServerSide = () => once(wss, 'connection').then(([socket]) => socket as WebSocket);

describe('faults through the proxy', () => {
  it('a client that vanishes mid-message: the record keeps the whole messages and what arrived of the cut one', async () => {
    const serverSide = nextServerSide();
    const { socket } = await rawThroughProxy('/client-vanishes');
    const server = await serverSide;
    const serverGot = new Promise<string>((resolve) => server.once('message', (data) => resolve(String(data))));
    const serverClosed = once(server, 'close');
    const completed = exchanges.next();
    socket.write(encodeFrame(1, Buffer.from('first'), true));
    expect(await serverGot).toBe('first');
    // A binary frame announcing 1,000 bytes; 300 arrive, then the client is gone.
    const whole = encodeFrame(2, Buffer.alloc(1000, 9), true);
    socket.end(whole.subarray(0, 8 + 300));
    const [code] = (await serverClosed) as [number];
    expect(code).toBe(1006);
    const record = (await completed).websocket!;
    expect(record).toMatchObject({ closeCode: 1006, closedBy: 'client' });
    const data = record.messages.filter((m) => m.opcode === 1 || m.opcode === 2);
    expect(data).toMatchObject([
      { fromClient: true, opcode: 1, text: 'first', truncated: false },
      { fromClient: false, opcode: 1, text: 'first', truncated: false },
      { fromClient: true, opcode: 2, size: 300, truncated: true, base64: Buffer.alloc(300, 9).toString('base64') },
    ]);
  });

  it('an origin that vanishes mid-message: the client sees 1006 and the record keeps what arrived', async () => {
    const serverSide = nextServerSide();
    const ws = await wsThroughProxy('/origin-vanishes');
    const server = await serverSide;
    const completed = exchanges.next();
    ws.send('hello');
    expect(String((await nextMessage(ws)).data)).toBe('hello');
    const clientClosed = once(ws, 'close');
    const whole = encodeFrame(1, Buffer.from('a text cut short'), false);
    socketOf(server).end(whole.subarray(0, 2 + 6));
    const [code] = (await clientClosed) as [number];
    expect(code).toBe(1006);
    const record = (await completed).websocket!;
    expect(record).toMatchObject({ closeCode: 1006, closedBy: 'server' });
    expect(record.messages.at(-1)).toMatchObject({ fromClient: false, opcode: 1, size: 6, text: 'a text', truncated: true });
    expect(record.messages.filter((m) => m.text === 'hello')).toHaveLength(2);
  });

  it('an unmasked client frame closes both sides with 1002, recorded as closed by the proxy; another connection goes on', async () => {
    const bystander = await wsThroughProxy('/bystander');
    const serverSide = nextServerSide();
    const { socket, rest } = await rawThroughProxy('/unmasked');
    const server = await serverSide;
    const serverClosed = once(server, 'close');
    const completed = exchanges.next();
    socket.write(encodeFrame(1, Buffer.from('ok'), true));
    socket.write(encodeFrame(1, Buffer.from('not masked'), false));
    const fromProxy = await readAll(socket, rest);
    // The echo of "ok" (if it came first), then the proxy's close frame with 1002.
    const close = fromProxy.indexOf(Buffer.from([0x88]));
    expect(close).toBeGreaterThanOrEqual(0);
    expect(fromProxy.readUInt16BE(close + 2)).toBe(1002);
    const [code] = (await serverClosed) as [number];
    expect(code).toBe(1002);
    const exchange = await completed;
    expect(exchange.request.url).toContain('/unmasked');
    expect(exchange.websocket).toMatchObject({ closeCode: 1002, closedBy: 'proxy' });
    expect(exchange.websocket!.closeReason).toMatch(/unmasked frame from the client/);
    expect(exchange.websocket!.messages.filter((m) => m.fromClient && m.opcode === 1).map((m) => m.text)).toEqual(['ok']);
    bystander.send('still here');
    expect(String((await nextMessage(bystander)).data)).toBe('still here');
    bystander.close();
  });

  it('a masked server frame closes both sides with 1002', async () => {
    const serverSide = nextServerSide();
    const ws = await wsThroughProxy('/masked-server');
    const server = await serverSide;
    const clientClosed = once(ws, 'close');
    const completed = exchanges.next();
    socketOf(server).write(encodeFrame(1, Buffer.from('masked'), true));
    const [code] = (await clientClosed) as [number];
    expect(code).toBe(1002);
    const record = (await completed).websocket!;
    expect(record).toMatchObject({ closeCode: 1002, closedBy: 'proxy' });
    expect(record.closeReason).toMatch(/masked frame from the server/);
  });

  it('invalid UTF-8 in a client text message closes with 1007', async () => {
    const serverSide = nextServerSide();
    const { socket, rest } = await rawThroughProxy('/bad-utf8');
    const server = await serverSide;
    const serverClosed = once(server, 'close');
    const completed = exchanges.next();
    socket.write(encodeFrame(1, Buffer.from([0x68, 0xff, 0x69]), true));
    const fromProxy = await readAll(socket, rest);
    expect(fromProxy[0]).toBe(0x88);
    expect(fromProxy.readUInt16BE(2)).toBe(1007);
    expect(((await serverClosed) as [number])[0]).toBe(1007);
    expect((await completed).websocket).toMatchObject({ closeCode: 1007, closedBy: 'proxy' });
  });
});
