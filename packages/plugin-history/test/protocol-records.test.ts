import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Exchange, GrpcRecord, WebSocketRecord } from '@capture/core';
import { nextExchange, requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import type { Har } from 'har-format';
import history from '../src/index.js';
import { runShow } from '../src/commands/show.js';
import { compileHarSchema } from './helpers/har.js';
import { runInProcess } from './helpers/in-process.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

// The WebSocket and gRPC records plugins attach to an exchange (core's `websocket` / `grpc`),
// stored, shown and exported. The exchange is a real one given those records and passed to
// onExchange, as the WebSocket and gRPC plugins would set them.

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
  cleanupAll();
});

const T0 = Date.UTC(2026, 0, 2, 3, 4, 5, 600);
const websocket: WebSocketRecord = {
  messages: [
    { fromClient: true, opcode: 1, time: T0, size: 5, text: 'hello', truncated: false },
    { fromClient: false, opcode: 2, time: T0 + 250, size: 3, base64: 'AAEC', truncated: false },
    { fromClient: true, opcode: 1, time: T0 + 500, size: 100_000, text: 'x'.repeat(10), truncated: true },
    { fromClient: true, opcode: 8, time: T0 + 750, size: 2, base64: 'A+g=', truncated: false },
  ],
  closeCode: 1000,
  closeReason: 'bye',
  closedBy: 'client',
  droppedMessages: 2,
};
const grpc = { service: 'shop.Shop', method: 'GetItem', web: false, text: false, status: 5, statusName: 'NOT_FOUND', requestMessages: [], responseMessages: [], omittedMessages: 0 } as unknown as GrpcRecord;

describe('WebSocket and gRPC records in history', () => {
  it('stores WebSocket messages in their own table and gRPC records, shows them and exports _webSocketMessages', async () => {
    origin = await startOrigin((req, res) => {
      req.resume();
      res.end('ok');
    });
    const dataDir = tempDir();
    const plugin = history({ flushInterval: 10 });
    proxy = await startProxy({ dataDir, plugins: [plugin] });
    const api = plugin.api!;
    const next = nextExchange(proxy.proxy);
    await requestThroughProxy(proxy.port, `${origin.url}/chat`);
    const template = await next;
    const upgraded: Exchange = {
      ...template,
      id: template.id + 1000,
      request: { ...template.request, url: `${origin.url}/socket`, headers: [['Upgrade', 'websocket'], ['Connection', 'Upgrade']] },
      response: { ...template.response!, statusCode: 101, statusMessage: 'Switching Protocols', headers: [['Upgrade', 'websocket']] },
      websocket,
    };
    await proxy.proxy.hooks.onExchange.promise(upgraded);
    await proxy.proxy.hooks.onExchange.promise({ ...template, id: template.id + 2000, request: { ...template.request, url: `${origin.url}/shop.Shop/GetItem` }, grpc });
    await api.flush();
    const [plain, socket, call] = api.exchanges();
    expect(plain!.websocket).toBeUndefined();
    expect(plain!.grpc).toBeUndefined();
    expect(socket!.websocket).toEqual(websocket);
    expect(call!.grpc).toEqual(grpc);
    expect((await api.getAsync(socket!.id))!.websocket).toEqual(websocket);

    const json = JSON.parse((await runInProcess(runShow, dataDir, { json: true }, [String(socket!.id)])).stdout) as { websocket: WebSocketRecord };
    expect(json.websocket).toEqual(websocket);
    const shown = (await runInProcess(runShow, dataDir, {}, [String(socket!.id)])).stdout;
    expect(shown).toContain('WebSocket: 4 messages (2 more not kept)\n');
    expect(shown).toMatch(/→ \d\d:\d\d:05\.600 text 5 B {2}hello\n← \d\d:\d\d:05\.850 binary 3 B {2}\(base64\) AAEC\n/);
    expect(shown).toContain('text 100 kB (truncated)  xxxxxxxxxx\n');
    expect(shown).toContain('closed by the client: 1000 bye');

    const har = JSON.parse(api.render('har', [socket!, plain!])) as Har;
    const validate = compileHarSchema();
    expect(validate(har), JSON.stringify(validate.errors)).toBe(true);
    const entry = har.log.entries[0] as Har['log']['entries'][number] & { _webSocketMessages: unknown };
    expect(entry._webSocketMessages).toEqual([
      { type: 'send', time: T0 / 1000, opcode: 1, data: 'hello' },
      { type: 'receive', time: (T0 + 250) / 1000, opcode: 2, data: 'AAEC' },
      { type: 'send', time: (T0 + 500) / 1000, opcode: 1, data: 'xxxxxxxxxx' },
      { type: 'send', time: (T0 + 750) / 1000, opcode: 8, data: 'A+g=' },
    ]);
    expect(har.log.entries[1]).not.toHaveProperty('_webSocketMessages');

    // Messages go with their exchange.
    expect(api.clear()).toBe(3);
    const db = new Database(path.join(dataDir, 'history.db'), { readonly: true });
    expect(db.prepare('SELECT count(*) FROM websocket_messages').pluck().get()).toBe(0);
    db.close();
  });
});
