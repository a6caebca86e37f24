import { statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history, { type HistoryApi } from '../src/index.js';
import { resolveHistoryOptions } from '../src/options.js';
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

  it('reads sizes as bytes or text and refuses what is not one, naming the option', () => {
    expect(resolveHistoryOptions({}).maxBytes).toBe(1_000_000_000);
    expect(resolveHistoryOptions({ maxBytes: '500MB' }).maxBytes).toBe(500_000_000);
    expect(resolveHistoryOptions({ maxBytes: '1.5 GiB' }).maxBytes).toBe(1.5 * 1024 ** 3);
    expect(resolveHistoryOptions({ maxBytes: 5_000_000 }).maxBytes).toBe(5_000_000);
    expect(() => resolveHistoryOptions({ maxBytes: 'lots' })).toThrow(/option "maxBytes": expected bytes \(at least 1 MB\) or a size such as "500MB"/);
    expect(() => resolveHistoryOptions({ maxBytes: 1000 })).toThrow(/maxBytes/);
  });
});
