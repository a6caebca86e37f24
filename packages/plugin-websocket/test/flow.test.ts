import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { encodeFrame } from '../src/index.js';
import { nextMessage, startRig, type Rig } from './harness.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');
const socketOf = (ws: WebSocket): Socket => (ws as unknown as { _socket: Socket })._socket;

/** Waits (bounded) until `condition` holds, checking after each turn of the event loop's timers. */
async function until(condition: () => boolean, what: string, limit = 2000): Promise<void> {
  for (let i = 0; i < limit; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('backpressure', () => {
  for (const hold of [false, true]) {
    it(`pauses the origin while the client does not read (hold: ${hold})`, async () => {
      rig = await startRig({ relay: { hold } });
      const serverSide = once(rig.server, 'connection');
      const relayReady = rig.nextRelay();
      const ws = await rig.connect();
      await relayReady;
      const [server] = (await serverSide) as [WebSocket];
      socketOf(ws).pause();
      const chunk = randomBytes(1024 * 1024);
      for (let i = 0; i < 32; i++) server.send(chunk);
      // The relay stops reading from the origin instead of buffering for the client without bound.
      const { client: toClient, upstream: fromOrigin } = rig.spliced[0]!;
      await until(() => fromOrigin.isPaused() && toClient.writableLength > 0, 'the relay to pause the origin');
      expect(toClient.writableLength).toBeLessThan(4 * 1024 * 1024);
      expect(server.bufferedAmount).toBeGreaterThan(8 * 1024 * 1024);
      let received = 0;
      const all = new Promise<void>((resolve) =>
        ws.on('message', (data: Buffer) => {
          expect(sha(data)).toBe(sha(chunk));
          if (++received === 32) resolve();
        }),
      );
      socketOf(ws).resume();
      await all;
      expect(received).toBe(32);
    });
  }
});

describe('hold mode', () => {
  it('streams a message too big to hold on unchanged and only observes it', async () => {
    const seen: Array<{ size: number; changeable: boolean }> = [];
    rig = await startRig({
      relay: {
        hold: true,
        limits: { maxBodySize: 64 * 1024 },
        onMessage(message) {
          if (message.opcode <= 2) seen.push({ size: message.size, changeable: message.changeable });
          return { action: 'drop' };
        },
      },
    });
    const received: string[] = [];
    rig.server.on('connection', (s) => s.on('message', (data: Buffer) => received.push(sha(data))));
    const relayReady = rig.nextRelay();
    const ws = await rig.connect();
    const relay = await relayReady;
    const big = randomBytes(4 * 1024 * 1024);
    ws.send(big);
    ws.send('dropped');
    ws.send(big, () => undefined);
    ws.close();
    await relay.done;
    // The big ones cannot be held, so the drop decision does not apply to them.
    expect(received).toEqual([sha(big), sha(big)]);
    expect(seen).toEqual([
      { size: big.length, changeable: false },
      { size: 7, changeable: true },
      { size: big.length, changeable: false },
    ]);
  });

  it('does not drop compressed messages whose context the receiver keeps', async () => {
    const deflate = { threshold: 0 };
    rig = await startRig({ perMessageDeflate: deflate, relay: { hold: true, onMessage: () => ({ action: 'drop' }) } });
    rig.server.on('connection', (s) => s.on('message', (data) => s.send(`echo ${data.toString()}`)));
    const relayReady = rig.nextRelay();
    const ws = await rig.connect({ perMessageDeflate: deflate });
    const relay = await relayReady;
    ws.send('one');
    expect((await nextMessage(ws)).data.toString()).toBe('echo one');
    ws.send('one again');
    expect((await nextMessage(ws)).data.toString()).toBe('echo one again');
    ws.close();
    const completion = await relay.done;
    expect(completion.messagesDroppedByHook).toBe(0);
  });

  it('drops compressed messages when each message has a fresh context', async () => {
    const deflate = { threshold: 0, clientNoContextTakeover: true, serverNoContextTakeover: true };
    rig = await startRig({
      perMessageDeflate: deflate,
      relay: { hold: true, onMessage: (m) => (m.fromClient && m.data.toString() === 'drop' ? { action: 'drop' } : undefined) },
    });
    rig.server.on('connection', (s) => s.on('message', (data) => s.send(`echo ${data.toString()}`)));
    const relayReady = rig.nextRelay();
    const ws = await rig.connect({ perMessageDeflate: deflate });
    const relay = await relayReady;
    ws.send('drop');
    ws.send('keep');
    expect((await nextMessage(ws)).data.toString()).toBe('echo keep');
    ws.close();
    expect((await relay.done).messagesDroppedByHook).toBe(1);
  });
});

describe('server faults', () => {
  it('keeps what arrived of a message when the origin vanishes mid-message', async () => {
    rig = await startRig();
    const serverSide = once(rig.server, 'connection');
    const relayReady = rig.nextRelay();
    const ws = await rig.connect();
    const relay = await relayReady;
    const [server] = (await serverSide) as [WebSocket];
    const clientClosed = once(ws, 'close');
    const whole = encodeFrame(1, Buffer.from('a text cut short'), false);
    socketOf(server).end(whole.subarray(0, 2 + 6));
    const [code] = (await clientClosed) as [number];
    expect(code).toBe(1006);
    expect(await relay.done).toMatchObject({ closeCode: 1006, closedBy: 'server' });
    expect(relay.record.messages).toMatchObject([{ fromClient: false, opcode: 1, size: 6, text: 'a text', truncated: true }]);
  });

  it('closes both sides with 1002 on a masked server frame', async () => {
    rig = await startRig();
    const serverSide = once(rig.server, 'connection');
    const relayReady = rig.nextRelay();
    const ws = await rig.connect();
    const relay = await relayReady;
    const [server] = (await serverSide) as [WebSocket];
    const clientClosed = once(ws, 'close');
    // A frame a server must never send: masked.
    socketOf(server).write(encodeFrame(1, Buffer.from('masked'), true));
    const [code] = (await clientClosed) as [number];
    expect(code).toBe(1002);
    const completion = await relay.done;
    expect(completion).toMatchObject({ closeCode: 1002, closedBy: 'proxy' });
    expect(completion.closeReason).toMatch(/masked frame from the server/);
  });
});
