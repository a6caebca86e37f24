import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Stage } from '@capture/core';
import { collectExchanges, startProxy, type TestProxy } from '@capture/core/testing';
import websocket, { getWebSocketHooks } from '../src/index.js';
import { absoluteFormClient, nextMessage } from './harness.js';

let proxy: TestProxy | undefined;
let origin: http.Server | undefined;
let wss: WebSocketServer | undefined;
afterEach(async () => {
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
  await proxy?.close();
  origin?.closeAllConnections();
  if (origin) await new Promise((resolve) => origin!.close(resolve));
  proxy = origin = wss = undefined;
});

describe('websocket plugin', () => {
  it("taps core's onUpgraded and checks its options", async () => {
    proxy = await startProxy({ plugins: [websocket({ maxWebSocketMessages: 5 })] });
    expect(proxy.proxy.hooks.onUpgraded.taps.map((tap) => tap.name)).toEqual(['websocket']);
    expect(getWebSocketHooks(proxy.proxy)).toBe(getWebSocketHooks(proxy.proxy));
    expect(() => websocket({ maxWebSocketMessages: -1 })).toThrow(/maxWebSocketMessages/);
  });

  it('relays what core hands it, runs onMessage by stage and completes the exchange with the record', async () => {
    origin = http.createServer();
    wss = new WebSocketServer({ server: origin });
    const received: string[] = [];
    wss.on('connection', (s) => s.on('message', (data) => (received.push(data.toString()), s.send('ok'))));
    origin.listen(0, '127.0.0.1');
    await once(origin, 'listening');
    const port = (origin.address() as AddressInfo).port;
    proxy = await startProxy({ plugins: [websocket()] });
    const hooks = getWebSocketHooks(proxy.proxy);
    const observed: string[] = [];
    hooks.onMessage.tap({ name: 'watcher', stage: Stage.OBSERVE }, (decision, _exchange, message) => {
      if (message.opcode === 1) observed.push(`${decision.action} ${message.data.toString()}`);
      return decision;
    });
    hooks.onMessage.tap({ name: 'redact', stage: Stage.TRANSFORM }, (decision, _exchange, message) =>
      message.fromClient && message.data.toString().includes('secret') ? { action: 'rewrite', data: '[redacted]' } : decision,
    );
    const exchanges = collectExchanges(proxy.proxy);
    const ws = absoluteFormClient(proxy.port, `ws://127.0.0.1:${port}/`, { perMessageDeflate: false });
    await once(ws, 'open');
    ws.send('my secret');
    await nextMessage(ws);
    const completed = exchanges.next();
    ws.close(1000, 'done');
    const record = (await completed).websocket!;
    expect(received).toEqual(['[redacted]']);
    expect(observed).toEqual(['rewrite my secret', 'forward ok']);
    expect(record).toMatchObject({ closeCode: 1000, closeReason: 'done', closedBy: 'client', droppedMessages: 0 });
    expect(record.messages.filter((m) => m.opcode === 1).map((m) => m.text)).toEqual(['[redacted]', 'ok']);
  });
});

describe('the plugin API', () => {
  it('offers its hooks and the connections open now; onOpened and onRecorded follow a connection live', async () => {
    origin = http.createServer();
    wss = new WebSocketServer({ server: origin });
    wss.on('connection', (s) => s.on('message', (data) => s.send(`echo ${String(data)}`)));
    origin.listen(0, '127.0.0.1');
    await once(origin, 'listening');
    const port = (origin.address() as AddressInfo).port;
    proxy = await startProxy({ plugins: [websocket()] });
    const api = proxy.proxy.plugin('websocket')!.api!;
    expect(api.hooks).toBe(getWebSocketHooks(proxy.proxy));
    const events: string[] = [];
    api.hooks!.onOpened.tap('watch', (exchange, record) => void events.push(`opened ${exchange.request.url} ${record.messages.length}`));
    api.hooks!.onRecorded.tap('watch', (_exchange, message, index) => void events.push(`${index} ${message.fromClient ? '→' : '←'} ${message.text ?? message.opcode}`));
    const exchanges = collectExchanges(proxy.proxy);
    const ws = absoluteFormClient(proxy.port, `ws://127.0.0.1:${port}/api`, { perMessageDeflate: false });
    await once(ws, 'open');
    ws.send('one');
    await nextMessage(ws);
    const [open] = api.open();
    expect(api.open()).toHaveLength(1);
    expect(open!.exchange.request.url).toBe(`http://127.0.0.1:${port}/api`);
    expect(open!.record.messages.map((m) => m.text)).toEqual(['one', 'echo one']);
    const completed = exchanges.next();
    ws.close(1000);
    const exchange = await completed;
    expect(api.open()).toEqual([]);
    expect(exchange.websocket).toBe(open!.record);
    expect(events.slice(0, 3)).toEqual([`opened http://127.0.0.1:${port}/api 0`, '0 → one', '1 ← echo one']);
  });
});
