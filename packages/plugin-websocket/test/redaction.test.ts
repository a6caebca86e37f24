import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { Stage, type CapturePlugin, type CaptureError, type Exchange } from '@capture/core';
import type { WebSocketMessageRecord } from '@capture/core/record';
import { collectExchanges, startProxy, type TestProxy } from '@capture/core/testing';
import websocket from '../src/index.js';
import { absoluteFormClient, nextMessage } from './harness.js';

/**
 * Redaction of messages, as bodies are redacted: only the captured copy changes, before anything
 * that stores or shows it, and the peers get what was sent.
 */

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

const SECRET = /s3cret-[a-z0-9]+/g;

/**
 * A redaction plugin written against the public API only: it reaches the WebSocket hooks through
 * `proxy.plugin('websocket')?.api` (as a plugin that may not import this package does) and masks
 * secrets in text and binary payloads.
 */
function redactMessages(): CapturePlugin {
  return {
    name: 'redact-messages',
    dependencies: ['websocket'],
    apply(proxy) {
      proxy.plugin('websocket')!.api!.hooks!.onMessageRecord.tap({ name: 'redact-messages', stage: Stage.TRANSFORM }, (message) => {
        if (message.text !== undefined) return { ...message, text: message.text.replace(SECRET, '[REDACTED]') };
        if (message.base64 !== undefined && message.opcode === 2) {
          const masked = Buffer.from(message.base64, 'base64').toString('latin1').replace(SECRET, '[REDACTED]');
          return { ...message, base64: Buffer.from(masked, 'latin1').toString('base64') };
        }
        return message;
      });
    },
  };
}

async function echoOrigin(received: string[]): Promise<number> {
  origin = http.createServer();
  wss = new WebSocketServer({ server: origin, perMessageDeflate: true });
  wss.on('connection', (socket) =>
    socket.on('message', (data: Buffer, isBinary) => {
      received.push(data.toString('latin1'));
      socket.send(data, { binary: isBinary });
    }),
  );
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
  return (origin.address() as AddressInfo).port;
}

describe('message redaction', () => {
  it('masks messages in the record, for live observers and for storage; both peers get the real bytes', async () => {
    const received: string[] = [];
    const port = await echoOrigin(received);
    const stored: Exchange[] = [];
    // A storage plugin: it must see only the masked record.
    const storage: CapturePlugin = {
      name: 'storage',
      apply(p) {
        p.hooks.onExchange.tap({ name: 'storage', stage: Stage.STORAGE }, (exchange) => void stored.push(structuredClone(exchange)));
      },
    };
    proxy = await startProxy({ plugins: [websocket(), redactMessages(), storage] });
    const hooks = proxy.proxy.plugin('websocket')!.api!.hooks!;
    const live: WebSocketMessageRecord[] = [];
    hooks.onRecorded.tap({ name: 'live', stage: Stage.OBSERVE }, (_exchange, message) => void live.push(message));
    const exchanges = collectExchanges(proxy.proxy);

    const ws = absoluteFormClient(proxy.port, `ws://127.0.0.1:${port}/chat`);
    await once(ws, 'open');
    ws.send('{"token":"s3cret-abc123","hello":1}');
    expect((await nextMessage(ws)).data.toString()).toBe('{"token":"s3cret-abc123","hello":1}');
    ws.send(Buffer.from('bin s3cret-xyz9 \u0000\u00ff', 'latin1'), { binary: true });
    expect((await nextMessage(ws)).data.toString('latin1')).toBe('bin s3cret-xyz9 \u0000\u00ff');
    const completed = exchanges.next();
    ws.close(1000, 'bye');
    const exchange = await completed;

    expect(received).toEqual(['{"token":"s3cret-abc123","hello":1}', 'bin s3cret-xyz9 \u0000\u00ff']);
    const payloads = (messages: WebSocketMessageRecord[]) =>
      messages.filter((m) => m.opcode === 1 || m.opcode === 2).map((m) => m.text ?? Buffer.from(m.base64!, 'base64').toString('latin1'));
    const masked = ['{"token":"[REDACTED]","hello":1}', '{"token":"[REDACTED]","hello":1}', 'bin [REDACTED] \u0000\u00ff', 'bin [REDACTED] \u0000\u00ff'];
    expect(payloads(exchange.websocket!.messages)).toEqual(masked);
    expect(payloads(live)).toEqual(masked);
    expect(stored).toHaveLength(1);
    expect(payloads(stored[0]!.websocket!.messages)).toEqual(masked);
    expect(JSON.stringify(stored[0])).not.toMatch(SECRET);
    // Size stays the size of what crossed the wire.
    expect(exchange.websocket!.messages[0]!.size).toBe(Buffer.byteLength('{"token":"s3cret-abc123","hello":1}'));
  });

  it('an onExchange tap at Stage.TRANSFORM redacts messages before storage, as it does bodies', async () => {
    const port = await echoOrigin([]);
    let storedText: string[] = [];
    proxy = await startProxy({
      plugins: [
        websocket(),
        {
          name: 'redact-exchange',
          apply(p) {
            p.hooks.onExchange.tap({ name: 'redact-exchange', stage: Stage.TRANSFORM }, (exchange) => {
              for (const message of exchange.websocket?.messages ?? []) if (message.text) message.text = message.text.replace(SECRET, '[REDACTED]');
            });
            p.hooks.onExchange.tap({ name: 'storage', stage: Stage.STORAGE }, (exchange) => {
              storedText = (exchange.websocket?.messages ?? []).flatMap((m) => (m.text ? [m.text] : []));
            });
          },
        },
      ],
    });
    const exchanges = collectExchanges(proxy.proxy);
    const ws = absoluteFormClient(proxy.port, `ws://127.0.0.1:${port}/`);
    await once(ws, 'open');
    ws.send('pw s3cret-q1');
    expect((await nextMessage(ws)).data.toString()).toBe('pw s3cret-q1');
    const completed = exchanges.next();
    ws.close(1000);
    await completed;
    expect(storedText).toEqual(['pw [REDACTED]', 'pw [REDACTED]']);
  });

  it('a redaction tap that throws keeps the message without its payload, never unredacted, and is reported', async () => {
    const port = await echoOrigin([]);
    proxy = await startProxy({ plugins: [websocket()] });
    const errors: CaptureError[] = [];
    proxy.proxy.hooks.onError.tap('test', (error) => void errors.push(error));
    proxy.proxy.plugin('websocket')!.api!.hooks!.onMessageRecord.tap({ name: 'broken', stage: Stage.TRANSFORM }, (message) => {
      if (message.text?.includes('s3cret')) throw new Error('redactor broke');
      return message;
    });
    const exchanges = collectExchanges(proxy.proxy);
    const ws = absoluteFormClient(proxy.port, `ws://127.0.0.1:${port}/`);
    await once(ws, 'open');
    ws.send('s3cret-zz');
    expect((await nextMessage(ws)).data.toString()).toBe('s3cret-zz');
    const completed = exchanges.next();
    ws.close(1000);
    const exchange = await completed;
    const texts = exchange.websocket!.messages.filter((m) => m.opcode === 1);
    expect(texts).toHaveLength(2);
    for (const message of texts) {
      expect(message).toMatchObject({ base64: '', truncated: true, size: 9 });
      expect(message.text).toBeUndefined();
    }
    expect(JSON.stringify(exchange.websocket)).not.toContain('s3cret');
    expect(errors.map((error) => error.message).join('\n')).toContain('redactor broke');
  });
});
