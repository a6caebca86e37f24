import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Exchange } from '@capture/core';
import { startProxy, type TestProxy } from '@capture/core/testing';
import websocket from '../src/index.js';
import { absoluteFormClient, nextMessage } from './harness.js';

let origin: http.Server | undefined;
let wss: WebSocketServer | undefined;
let proxy: TestProxy | undefined;

afterEach(async () => {
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
  await proxy?.close();
  if (origin) await new Promise<void>((resolve) => origin!.close(() => resolve()));
  origin = wss = proxy = undefined;
});

describe('proxy.close() with open WebSockets', () => {
  it('closes them with 1001 to both sides, resolves promptly, and storage gets the exchange before onClose', async () => {
    origin = http.createServer((_req, res) => res.end());
    wss = new WebSocketServer({ server: origin });
    const serverClosed = new Promise<number>((resolve) => {
      wss!.on('connection', (socket) => {
        socket.on('message', (data) => socket.send(`echo ${String(data)}`));
        socket.on('close', (code) => resolve(code));
      });
    });
    origin.listen(0, '127.0.0.1');
    await once(origin, 'listening');
    const port = (origin.address() as AddressInfo).port;
    // A long close timeout: closing must not wait for it.
    proxy = await startProxy({ plugins: [websocket()], closeTimeout: 30_000 });
    const stored: Exchange[] = [];
    const order: string[] = [];
    proxy.proxy.hooks.onExchange.tap('store', (exchange) => {
      stored.push(exchange);
      order.push('exchange');
    });
    proxy.proxy.hooks.onClose.tap('store', () => void order.push('close'));
    const opened = new Promise<void>((resolve) => proxy!.proxy.hooks.onExchangeOpened.tap('watch', () => resolve()));
    const client: WebSocket = absoluteFormClient(proxy.port, `ws://127.0.0.1:${port}/live`, { perMessageDeflate: false });
    await once(client, 'open');
    await opened;
    client.send('hello');
    expect(String((await nextMessage(client)).data)).toBe('echo hello');
    const clientClosed = once(client, 'close') as Promise<[number, Buffer]>;
    const started = performance.now();
    await proxy.proxy.close();
    const elapsed = performance.now() - started;
    expect(elapsed).toBeLessThan(3_000);
    const [code] = await clientClosed;
    expect(code).toBe(1001);
    expect(await serverClosed).toBe(1001);
    expect(order).toEqual(['exchange', 'close']);
    const websocketRecord = stored[0]!.websocket!;
    expect(websocketRecord.closedBy).toBe('proxy');
    expect(websocketRecord.closeCode).toBe(1001);
    const texts = websocketRecord.messages.filter((message) => message.opcode === 1).map((message) => message.text);
    expect(texts).toEqual(['hello', 'echo hello']);
  });
});
