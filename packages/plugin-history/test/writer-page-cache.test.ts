import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { limitWriterPageCache, openHistoryDatabase, WRITER_CACHE_KIB } from '../src/database.js';
import { HistoryStore } from '../src/store.js';
import { historyRow as row } from './helpers/rows.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

afterEach(() => cleanupAll());

describe('a connection that writes captured exchanges', () => {
  it('keeps at most WRITER_CACHE_KIB of pages cached after storing a large body', () => {
    const file = path.join(tempDir(), 'history.db');
    const { db } = openHistoryDatabase(file);
    limitWriterPageCache(db);
    expect(db.pragma('cache_size', { simple: true })).toBe(-WRITER_CACHE_KIB);
    const store = new HistoryStore(db);
    // A first small row: the statements and schema pages are in memory before measuring.
    store.insertMany([row({ started_at: 1 })]);
    // better-sqlite3's default cache (16 MB) kept about 11 MiB of a 10 MiB body's pages; this
    // one is larger than that default, so without the cap 16 MB would stay cached.
    const body = Buffer.alloc(24 * 1024 * 1024, 'y');
    const before = process.memoryUsage().rss;
    store.insertMany([row({ started_at: 2, response_body: body })]);
    const grown = process.memoryUsage().rss - before;
    expect(store.get(2)?.response?.body?.bytes.length).toBe(24 * 1024 * 1024);
    expect(grown).toBeLessThan(8 * 1024 * 1024);
    store.close();
  });

  it('is the default of every other connection (readers keep their larger cache)', () => {
    const file = path.join(tempDir(), 'history.db');
    openHistoryDatabase(file).db.close();
    const reader = new Database(file, { readonly: true });
    expect(reader.pragma('cache_size', { simple: true })).not.toBe(-WRITER_CACHE_KIB);
    reader.close();
  });
});
