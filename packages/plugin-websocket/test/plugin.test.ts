import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AsyncSeriesBailHook } from 'tapable';
import { afterEach, describe, expect, it } from 'vitest';
import { createProxy, Stage, type CaptureProxy, type Exchange } from '@capture/core';
import websocket, { getWebSocketHooks, type UpgradedConnection, type WebSocketRecord } from '../src/index.js';
import { nextMessage, startRig, type Rig } from './harness.js';

let rig: Rig | undefined;
let proxy: CaptureProxy | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await rig?.close();
  await proxy?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  rig = proxy = dataDir = undefined;
});

describe('websocket plugin', () => {
  it('applies to a core without onUpgraded and taps nothing', async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'capture-ws-'));
    proxy = await createProxy({ plugins: [websocket({ maxWebSocketMessages: 5 })] }, { dataDir });
    expect(getWebSocketHooks(proxy)).toBe(getWebSocketHooks(proxy));
    expect(() => websocket({ maxWebSocketMessages: -1 })).toThrow(/maxWebSocketMessages/);
  });

  it('relays what an onUpgraded hook hands it, runs onMessage by stage and completes with the record', async () => {
    // A proxy with the hook core is to gain: only `hooks.onUpgraded` and `config.maxBodySize` are read.
    const onUpgraded = new AsyncSeriesBailHook<[UpgradedConnection], true | undefined>(['connection']);
    const host = { hooks: { onUpgraded }, config: { maxBodySize: 1024 } } as unknown as CaptureProxy;
    const hooks = getWebSocketHooks(host);
    const observed: string[] = [];
    hooks.onMessage.tap({ name: 'watcher', stage: Stage.OBSERVE }, (decision, _exchange, message) => {
      if (message.opcode === 1) observed.push(`${decision.action} ${message.data.toString()}`);
      return decision;
    });
    hooks.onMessage.tap({ name: 'redact', stage: Stage.TRANSFORM }, (decision, _exchange, message) =>
      message.fromClient && message.data.toString().includes('secret') ? { action: 'rewrite', data: '[redacted]' } : decision,
    );
    await websocket().apply(host, { name: 'websocket', report: () => undefined });
    let finish!: (record: WebSocketRecord) => void;
    const completed = new Promise<WebSocketRecord>((resolve) => (finish = resolve));
    const exchange = { id: 1, meta: {} } as unknown as Exchange;
    rig = await startRig({
      handOver: (parts) => void onUpgraded.promise({ ...parts, exchange, complete: finish }),
    });
    const received: string[] = [];
    rig.server.on('connection', (s) => s.on('message', (data) => (received.push(data.toString()), s.send('ok'))));
    const ws = await rig.connect();
    ws.send('my secret');
    await nextMessage(ws);
    ws.close(1000, 'done');
    const record = await completed;
    expect(received).toEqual(['[redacted]']);
    expect(observed).toEqual(['rewrite my secret', 'forward ok']);
    expect(record).toMatchObject({ closeCode: 1000, closeReason: 'done', closedBy: 'client', droppedMessages: 0 });
    expect(record.messages.filter((m) => m.opcode === 1).map((m) => m.text)).toEqual(['[redacted]', 'ok']);
  });
});
