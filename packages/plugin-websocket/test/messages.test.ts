import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { encodeFrame } from '../src/index.js';
import { echo, nextMessage, rawClient, readAll, startRig, type Rig } from './harness.js';

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

async function closeAndWait(ws: WebSocket, code = 1000, reason = ''): Promise<void> {
  ws.close(code, reason);
  await once(ws, 'close');
}

const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

describe('permessage-deflate', () => {
  for (const noContextTakeover of [false, true]) {
    it(`records messages decompressed and forwards the compressed bytes unchanged (no context takeover: ${noContextTakeover})`, async () => {
      const deflate = { threshold: 0, clientNoContextTakeover: noContextTakeover, serverNoContextTakeover: noContextTakeover };
      rig = await startRig({ perMessageDeflate: deflate, tapBytes: true });
      echo(rig.server);
      const relayReady = rig.nextRelay();
      const ws = await rig.connect({ perMessageDeflate: deflate });
      const relay = await relayReady;
      const texts = ['the same words again and again', 'the same words again and again', 'and again the same words', 'é ü 😀'];
      for (const text of texts) {
        ws.send(text);
        expect((await nextMessage(ws)).data.toString()).toBe(text);
      }
      ws.send(Buffer.alloc(100_000, 7));
      expect((await nextMessage(ws)).data.length).toBe(100_000);
      await closeAndWait(ws);
      await relay.done;
      const data = relay.record.messages.filter((m) => m.opcode === 1);
      expect(data.map((m) => [m.fromClient, m.text])).toEqual(texts.flatMap((t) => [[true, t], [false, t]]));
      const binary = relay.record.messages.filter((m) => m.opcode === 2);
      expect(binary).toHaveLength(2);
      expect(binary.every((m) => m.size === 100_000 && Buffer.from(m.base64!, 'base64').equals(Buffer.alloc(100_000, 7)))).toBe(true);
      const bytes = rig.bytes[0]!;
      const fromClient = Buffer.concat(bytes.fromClient);
      // Compressed (RSV1) frames really crossed the relay, and byte for byte.
      expect(fromClient[0]! & 0x40).toBe(0x40);
      expect(Buffer.concat(bytes.toOrigin).equals(fromClient)).toBe(true);
      expect(Buffer.concat(bytes.toClient).equals(Buffer.concat(bytes.fromOrigin))).toBe(true);
    });
  }
});

describe('record order', () => {
  it('records messages in the order they arrived across both directions, while a compressed one is still being inflated', async () => {
    // The client's 8 MiB message is compressed (a few KiB on the wire; inflating it for the
    // record takes milliseconds). The origin answers, uncompressed, as soon as the last byte of
    // that frame reaches it, so its answer reaches the relay while the relay is still inflating.
    rig = await startRig({ perMessageDeflate: { threshold: 0 } });
    rig.server.on('connection', (socket) => {
      const raw = (socket as unknown as { _socket: import('node:net').Socket })._socket;
      let seen = Buffer.alloc(0);
      const onData = (chunk: Buffer): void => {
        seen = Buffer.concat([seen, chunk]);
        if (seen.length < 2) return;
        const code = seen[1]! & 0x7f;
        const header = 2 + (code === 126 ? 2 : code === 127 ? 8 : 0) + 4;
        if (seen.length < header) return;
        const length = code === 126 ? seen.readUInt16BE(2) : code === 127 ? Number(seen.readBigUInt64BE(2)) : code;
        if (seen.length < header + length) return;
        raw.off('data', onData);
        raw.write(Buffer.concat([Buffer.from([0x81, 5]), Buffer.from('reply')]));
      };
      raw.on('data', onData);
    });
    const relayReady = rig.nextRelay();
    const ws = await rig.connect({ perMessageDeflate: { threshold: 0 } });
    const relay = await relayReady;
    ws.send(Buffer.alloc(8 * 1024 * 1024, 'a').toString());
    expect((await nextMessage(ws)).data.toString()).toBe('reply');
    await closeAndWait(ws);
    await relay.done;
    expect(relay.record.messages.map((m) => [m.fromClient, m.opcode, m.size])).toEqual([
      [true, 1, 8 * 1024 * 1024],
      [false, 1, 5],
      [true, 8, 2],
      [false, 8, 2],
    ]);
  });
});

describe('message shapes', () => {
  it('reassembles a fragmented message around an interleaved ping', async () => {
    rig = await startRig();
    const received: string[] = [];
    rig.server.on('connection', (ws) => ws.on('message', (data) => received.push(data.toString())));
    const relayReady = rig.nextRelay();
    const ws = await rig.connect();
    const relay = await relayReady;
    ws.send('abc', { fin: false });
    ws.ping('p');
    ws.send('def', { fin: false });
    ws.send('ghi', { fin: true });
    await once(ws, 'pong');
    ws.send('done');
    await closeAndWait(ws);
    await relay.done;
    expect(received).toEqual(['abcdefghi', 'done']);
    const fromClient = relay.record.messages.filter((m) => m.fromClient);
    expect(fromClient.map((m) => [m.opcode, m.text ?? m.base64])).toEqual([
      [9, Buffer.from('p').toString('base64')],
      [1, 'abcdefghi'],
      [1, 'done'],
      [8, expect.any(String)],
    ]);
  });

  it('notes ping and pong both ways', async () => {
    rig = await startRig();
    const relayReady = rig.nextRelay();
    const serverSide = once(rig.server, 'connection');
    const ws = await rig.connect();
    const relay = await relayReady;
    const [server] = (await serverSide) as [WebSocket];
    ws.ping('from client');
    await once(ws, 'pong');
    server.ping('from server');
    await once(server, 'pong');
    await closeAndWait(ws);
    await relay.done;
    const b64 = (s: string): string => Buffer.from(s).toString('base64');
    expect(relay.record.messages.filter((m) => m.opcode === 9 || m.opcode === 10).map((m) => [m.fromClient, m.opcode, m.base64])).toEqual([
      [true, 9, b64('from client')],
      [false, 10, b64('from client')],
      [false, 9, b64('from server')],
      [true, 10, b64('from server')],
    ]);
  });

  it('records close codes and reasons and who closed', async () => {
    rig = await startRig();
    rig.server.on('connection', (ws) => ws.on('message', () => ws.close(4001, 'server says bye')));
    const relayReady = rig.nextRelay();
    const ws = await rig.connect();
    const relay = await relayReady;
    ws.send('close please');
    const [code, reason] = (await once(ws, 'close')) as [number, Buffer];
    expect([code, reason.toString()]).toEqual([4001, 'server says bye']);
    expect(await relay.done).toMatchObject({ closeCode: 4001, closeReason: 'server says bye', closedBy: 'server' });
    const closes = relay.record.messages.filter((m) => m.opcode === 8);
    expect(closes.map((m) => m.fromClient)).toEqual([false, true]);
  });

  it('records a client that vanishes without a close frame as 1006, closed by the client', async () => {
    rig = await startRig();
    const relayReady = rig.nextRelay();
    const serverSide = once(rig.server, 'connection');
    const ws = await rig.connect();
    const relay = await relayReady;
    const [server] = (await serverSide) as [WebSocket];
    ws.terminate();
    const [code] = (await once(server, 'close')) as [number];
    expect(code).toBe(1006);
    expect(await relay.done).toMatchObject({ closeCode: 1006, closedBy: 'client' });
  });
});

describe('limits', () => {
  it('forwards a 16 MiB message whole and records it truncated at maxBodySize, then goes on parsing', async () => {
    const maxBodySize = 1024 * 1024;
    rig = await startRig({ relay: { limits: { maxBodySize } } });
    rig.server.on('connection', (ws) => ws.on('message', (data: Buffer) => ws.send(`${data.length} ${sha(data)}`)));
    const relayReady = rig.nextRelay();
    const ws = await rig.connect();
    const relay = await relayReady;
    const big = randomBytes(16 * 1024 * 1024);
    ws.send(big);
    expect((await nextMessage(ws)).data.toString()).toBe(`${big.length} ${sha(big)}`);
    ws.send('small after');
    expect((await nextMessage(ws)).data.toString()).toBe(`11 ${sha(Buffer.from('small after'))}`);
    await closeAndWait(ws);
    await relay.done;
    const [first, , third] = relay.record.messages;
    expect(first).toMatchObject({ fromClient: true, opcode: 2, size: big.length, truncated: true });
    expect(Buffer.from(first!.base64!, 'base64').equals(big.subarray(0, maxBodySize))).toBe(true);
    expect(third).toMatchObject({ fromClient: true, opcode: 1, text: 'small after', truncated: false });
  });

  it('keeps maxWebSocketMessages messages and counts the rest', async () => {
    rig = await startRig({ relay: { limits: { maxWebSocketMessages: 5 } } });
    echo(rig.server);
    const relayReady = rig.nextRelay();
    const ws = await rig.connect();
    const relay = await relayReady;
    for (let i = 0; i < 10; i++) {
      ws.send(`m${i}`);
      await nextMessage(ws);
    }
    await closeAndWait(ws);
    await relay.done;
    expect(relay.record.messages).toHaveLength(5);
    expect(relay.record.messages.map((m) => m.text)).toEqual(['m0', 'm0', 'm1', 'm1', 'm2']);
    // 20 data messages and 2 close frames.
    expect(relay.record.droppedMessages).toBe(17);
  });
});

describe('faults', () => {
  it('closes both sides with 1002 on an unmasked client frame and records it', async () => {
    rig = await startRig();
    const serverSide = once(rig.server, 'connection');
    const relayReady = rig.nextRelay();
    const { socket, rest } = await rawClient(rig.url);
    const relay = await relayReady;
    const [server] = (await serverSide) as [WebSocket];
    const serverClosed = once(server, 'close');
    socket.write(encodeFrame(1, Buffer.from('ok'), true));
    socket.write(encodeFrame(1, Buffer.from('not masked'), false));
    const fromProxy = await readAll(socket, rest);
    // One unmasked close frame, code 1002.
    expect(fromProxy[0]).toBe(0x88);
    expect(fromProxy.readUInt16BE(2)).toBe(1002);
    const [code] = (await serverClosed) as [number];
    expect(code).toBe(1002);
    const completion = await relay.done;
    expect(completion).toMatchObject({ closeCode: 1002, closedBy: 'proxy' });
    expect(completion.closeReason).toMatch(/unmasked frame from the client/);
    expect(relay.record.messages.filter((m) => m.opcode === 1).map((m) => m.text)).toEqual(['ok']);
  });

  it('closes with 1007 on invalid UTF-8 in a text message', async () => {
    rig = await startRig();
    const relayReady = rig.nextRelay();
    const { socket, rest } = await rawClient(rig.url);
    const relay = await relayReady;
    socket.write(encodeFrame(1, Buffer.from([0x68, 0xff, 0x69]), true));
    const fromProxy = await readAll(socket, rest);
    expect(fromProxy[0]).toBe(0x88);
    expect(fromProxy.readUInt16BE(2)).toBe(1007);
    expect(await relay.done).toMatchObject({ closeCode: 1007, closedBy: 'proxy' });
  });

  it('keeps what arrived of a message when the client vanishes mid-message', async () => {
    rig = await startRig();
    const relayReady = rig.nextRelay();
    const { socket } = await rawClient(rig.url);
    const relay = await relayReady;
    const whole = encodeFrame(2, Buffer.alloc(1000, 9), true);
    socket.write(encodeFrame(1, Buffer.from('first'), true));
    socket.end(whole.subarray(0, 8 + 300));
    const completion = await relay.done;
    expect(completion).toMatchObject({ closeCode: 1006, closedBy: 'client' });
    expect(relay.record.messages).toMatchObject([
      { fromClient: true, opcode: 1, text: 'first', truncated: false },
      { fromClient: true, opcode: 2, size: 300, truncated: true, base64: Buffer.alloc(300, 9).toString('base64') },
    ]);
  });
});

describe('decisions', () => {
  it('drops one message and rewrites another at the transform stage; the server sees the rewrite', async () => {
    rig = await startRig({
      relay: {
        hold: true,
        onMessage(message) {
          if (!message.fromClient || message.opcode !== 1) return undefined;
          const text = message.data.toString();
          if (text === 'drop me') return { action: 'drop' };
          if (text === 'rewrite me') return { action: 'rewrite', data: 'rewritten' };
          return undefined;
        },
      },
    });
    const received: string[] = [];
    rig.server.on('connection', (ws) =>
      ws.on('message', (data) => {
        received.push(data.toString());
        ws.send(`echo ${data.toString()}`);
      }),
    );
    const relayReady = rig.nextRelay();
    const ws = await rig.connect();
    const relay = await relayReady;
    ws.send('drop me');
    ws.send('rewrite me');
    expect((await nextMessage(ws)).data.toString()).toBe('echo rewritten');
    ws.send('keep me');
    expect((await nextMessage(ws)).data.toString()).toBe('echo keep me');
    await closeAndWait(ws);
    const completion = await relay.done;
    expect(received).toEqual(['rewritten', 'keep me']);
    expect(completion.messagesDroppedByHook).toBe(1);
    expect(relay.record.messages.filter((m) => m.opcode === 1).map((m) => [m.fromClient, m.text])).toEqual([
      [true, 'rewritten'],
      [false, 'echo rewritten'],
      [true, 'keep me'],
      [false, 'echo keep me'],
    ]);
  });
});
