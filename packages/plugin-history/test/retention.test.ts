import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { Exchange } from '@capture/core';
import { nextExchange, requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history, { type HistoryApi } from '../src/index.js';
import { openHistoryDatabase } from '../src/database.js';
import { resolveHistoryOptions } from '../src/options.js';
import { toHistoryRow } from '../src/record.js';
import { HistoryStore } from '../src/store.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
  cleanupAll();
});

const BODY = 300 * 1000;

describe('retention by size (maxBytes)', () => {
  it('prunes the oldest exchanges so large uploads never grow history.db past maxBytes', async () => {
    const dataDir = tempDir();
    origin = await startOrigin((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    const plugin = history({ maxBytes: '2MB', flushInterval: 10 });
    proxy = await startProxy({ dataDir, plugins: [plugin] });
    const api = plugin.api as HistoryApi;
    const upload = Buffer.alloc(BODY);
    for (let i = 0; i < 30; i++) {
      upload.fill(i);
      const res = await requestThroughProxy(proxy.port, `${origin.url}/upload/${i}`, { method: 'POST', body: upload });
      expect(res.status).toBe(200);
      await api.flush();
    }
    await proxy.close();
    proxy = undefined;

    const file = path.join(dataDir, 'history.db');
    const db = new Database(file, { readonly: true });
    try {
      const urls = db.prepare('SELECT url FROM exchanges ORDER BY id').pluck().all() as string[];
      const pages = (db.pragma('page_count', { simple: true }) as number) - (db.pragma('freelist_count', { simple: true }) as number);
      const used = pages * (db.pragma('page_size', { simple: true }) as number);
      // 30 uploads are 9 MB; what is kept fits in 2 MB (plus the one batch written last, before its prune).
      expect(used).toBeLessThanOrEqual(2_000_000 + BODY + 64 * 1024);
      expect(statSync(file).size).toBeLessThan(4_000_000);
      // The newest are kept, contiguous up to the last, and the oldest are gone.
      expect(urls.length).toBeGreaterThanOrEqual(4);
      expect(urls.length).toBeLessThan(30);
      const kept = urls.map((url) => Number(new URL(url).pathname.split('/').pop()));
      expect(kept).toEqual(Array.from({ length: kept.length }, (_, i) => 30 - kept.length + i));
    } finally {
      db.close();
    }
  });

  it('counts WebSocket messages (their own table) as the bytes of their exchange, so pruning deletes only as many as it must', async () => {
    origin = await startOrigin((req, res) => {
      req.resume();
      res.end('ok');
    });
    proxy = await startProxy({ plugins: [] });
    const next = nextExchange(proxy.proxy);
    await requestThroughProxy(proxy.port, `${origin.url}/template`);
    const template = await next;
    const store = new HistoryStore(openHistoryDatabase(path.join(tempDir(), 'history.db')).db);
    try {
      // Ten WebSocket connections of about 200 kB of messages each (oldest), then ten small exchanges.
      const text = 'm'.repeat(2000);
      const socket = (n: number): Exchange => ({
        ...template,
        request: { ...template.request, url: `${origin!.url}/socket/${n}` },
        websocket: {
          messages: Array.from({ length: 100 }, (_, seq) => ({ fromClient: seq % 2 === 0, opcode: 1, time: Date.now() + seq, size: text.length, text, truncated: false })),
          closeCode: 1000,
          closeReason: '',
          closedBy: 'client',
          droppedMessages: 0,
        },
      });
      store.insertMany(Array.from({ length: 10 }, (_, n) => toHistoryRow(socket(n), true)));
      store.insertMany(Array.from({ length: 10 }, (_, n) => toHistoryRow({ ...template, request: { ...template.request, url: `${origin!.url}/small/${n}` } }, true)));
      const before = store.usedBytes();
      expect(before).toBeGreaterThan(2_000_000);
      const maxBytes = 1_200_000;
      while (store.pruneChunk(1_000_000, undefined, Date.now(), maxBytes) > 0);
      const urls = store.list().map((row) => new URL(row.url).pathname).reverse();
      // What fits is kept: the newest sockets and every small exchange (counted as a few hundred bytes each, the sockets
      // were so cheap that pruning deleted everything).
      expect(store.usedBytes()).toBeLessThanOrEqual(maxBytes);
      expect(urls.filter((url) => url.startsWith('/small/'))).toHaveLength(10);
      const sockets = urls.filter((url) => url.startsWith('/socket/'));
      expect(sockets.length).toBeGreaterThanOrEqual(2);
      // Not far under the limit either: less than about one connection's pages short of it.
      expect(store.usedBytes()).toBeGreaterThan(maxBytes - 1.5 * (before / 10));
      expect(sockets).toEqual(Array.from({ length: sockets.length }, (_, i) => `/socket/${10 - sockets.length + i}`));
      // The deleted connections' messages went with them.
      expect(store.db.prepare('SELECT count(DISTINCT exchange_id) FROM websocket_messages').pluck().get()).toBe(sockets.length);
    } finally {
      store.close();
    }
  });

  it('reads sizes as bytes or text and refuses what is not one, naming the option', () => {
    expect(resolveHistoryOptions({}).maxBytes).toBe(1_000_000_000);
    expect(resolveHistoryOptions({ maxBytes: '500MB' }).maxBytes).toBe(500_000_000);
    expect(resolveHistoryOptions({ maxBytes: '1.5 GiB' }).maxBytes).toBe(1.5 * 1024 ** 3);
    expect(resolveHistoryOptions({ maxBytes: 5_000_000 }).maxBytes).toBe(5_000_000);
    expect(() => resolveHistoryOptions({ maxBytes: 'lots' })).toThrow(/option "maxBytes": expected bytes \(at least 1 MB\) or a size such as "500MB"/);
    expect(() => resolveHistoryOptions({ maxBytes: 1000 })).toThrow(/maxBytes/);
  });
});
