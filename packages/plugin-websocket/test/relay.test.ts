import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { echo, nextMessage, startRig, type Rig } from './harness.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function closeAndWait(ws: WebSocket, code = 1000, reason = ''): Promise<void> {
  ws.close(code, reason);
  await once(ws, 'close');
}

describe('relayWebSocket', () => {
  it('records text and binary echoes both ways', async () => {
    rig = await startRig();
    echo(rig.server);
    const relayReady = rig.nextRelay();
    const ws = await rig.connect();
    const relay = await relayReady;
    ws.send('hello');
    expect((await nextMessage(ws)).data.toString()).toBe('hello');
    ws.send(Buffer.from([0, 1, 2, 255]));
    const binary = await nextMessage(ws);
    expect(binary.isBinary).toBe(true);
    expect([...binary.data]).toEqual([0, 1, 2, 255]);
    await closeAndWait(ws, 1000, 'bye');
    const completion = await relay.done;
    const data = relay.record.messages.filter((m) => m.opcode !== 8);
    expect(data).toMatchObject([
      { fromClient: true, opcode: 1, size: 5, text: 'hello', truncated: false },
      { fromClient: false, opcode: 1, size: 5, text: 'hello', truncated: false },
      { fromClient: true, opcode: 2, size: 4, base64: Buffer.from([0, 1, 2, 255]).toString('base64'), truncated: false },
      { fromClient: false, opcode: 2, size: 4, base64: Buffer.from([0, 1, 2, 255]).toString('base64') },
    ]);
    expect(completion).toMatchObject({ closeCode: 1000, closeReason: 'bye', closedBy: 'client' });
    expect(relay.record).toMatchObject({ closeCode: 1000, closeReason: 'bye', closedBy: 'client', droppedMessages: 0 });
    expect(completion.duration).toBeGreaterThan(0);
  });

  it('closes both sides from the proxy with close()', async () => {
    rig = await startRig();
    const serverSide = once(rig.server, 'connection');
    const relayReady = rig.nextRelay();
    const ws = await rig.connect();
    const relay = await relayReady;
    const [server] = (await serverSide) as [WebSocket];
    const clientClosed = once(ws, 'close');
    const serverClosed = once(server, 'close');
    relay.close(1001, 'capture is closing');
    const [[clientCode, clientReason], [serverCode]] = (await Promise.all([clientClosed, serverClosed])) as [[number, Buffer], [number]];
    expect([clientCode, clientReason.toString(), serverCode]).toEqual([1001, 'capture is closing', 1001]);
    expect(await relay.done).toMatchObject({ closeCode: 1001, closeReason: 'capture is closing', closedBy: 'proxy' });
  });
});
