import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startOrigin, type TestOrigin } from '@capture/core/testing';
import { openHistoryDatabase } from '../src/database.js';
import { OPEN_WEBSOCKET, type HistoryRow, type HistoryRowWithMessages } from '../src/record.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../src/schema.js';
import { SEARCH_TABLE } from '../src/search-index.js';
import { HistoryStore } from '../src/store.js';
import { HistoryWriter } from '../src/writer.js';
import { historyRow as row, openTempStore as openStore } from './helpers/rows.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

let children: ChildProcess[] = [];
let origin: TestOrigin | undefined;
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await origin?.close();
  origin = undefined;
  cleanupAll();
});

/** The rows the FTS table holds for a text (every trigram of it). */
function indexed(db: Database.Database, text: string): number[] {
  const trigrams = Array.from({ length: text.length - 2 }, (_, index) => `"${text.slice(index, index + 3)}"`).join(' ');
  return db.prepare(`SELECT rowid FROM ${SEARCH_TABLE} WHERE ${SEARCH_TABLE} MATCH ? ORDER BY rowid`).pluck().all(trigrams) as number[];
}

const random = (size: number, seed: number) => Buffer.from(Array.from({ length: size }, (_, index) => (index * 7919 + seed * 104729) % 251));

/** Rows of every kind a search treats differently: URL, headers, text, binary and long bodies, near misses. */
function corpus(): HistoryRow[] {
  return [
    row({ started_at: 1, url: 'http://origin.test/find/NeedleInUrl' }),
    row({ started_at: 2, request_headers: JSON.stringify([['x-tag', 'needle-header']]) }),
    row({ started_at: 3, request_body: Buffer.from('{"q":"a needle here","city":"café"}') }),
    row({ started_at: 4, response_body: Buffer.concat([random(2048, 1), Buffer.from('needle'), Buffer.from('café'), random(2048, 2)]) }),
    row({ started_at: 5, response_body: Buffer.from('nee eed edl dle') }),
    row({ started_at: 6, response_body: Buffer.concat([Buffer.alloc(20_000, 'x'), Buffer.from(' needle late')]) }),
    row({ started_at: 7, url: 'http://other.test/plain' }),
  ];
}

const SEARCHES = ['needle', 'NEEDLE', 'café', 'needle late', 'ne', 'plain', 'absent-text', 'edl dle'];

/** Every search's ids, unlimited and limited to 2 (the plan may then walk from the newest). */
function results(store: HistoryStore): Record<string, number[][]> {
  return Object.fromEntries(SEARCHES.map((search) => [search, [store.list({ search }).map((s) => s.id), store.list({ search, limit: 2 }).map((s) => s.id)]]));
}

describe('the background search index', () => {
  it('indexes a row with a body too long to index without reading the body (none of its pages enter the cache)', () => {
    const { store, file } = openStore();
    const body = Buffer.alloc(48 * 1024 * 1024, 'x');
    store.insertMany([row({ started_at: 1, url: 'http://origin.test/download/LongBodyRow', response_body: body })]);
    store.close();
    // A connection whose page cache could hold the whole body, as better-sqlite3's default 16 MB
    // held a download's 10 MiB capture: reaching a column stored after the body (search_binary)
    // walked its chain of overflow pages and cached every one.
    const db = new Database(file);
    db.pragma('cache_size = -131072');
    const reader = new HistoryStore(db);
    const before = process.memoryUsage().rss;
    expect(reader.indexChunk(10)).toEqual({ indexed: 1, more: false });
    const grown = process.memoryUsage().rss - before;
    // Its URL is indexed; the body is found by reading the row (SEARCH_PARTIAL), as before.
    expect(indexed(db, 'LongBodyRow')).toEqual([1]);
    expect(reader.list({ search: 'xxxxxx' }).map((summary) => summary.id)).toEqual([1]);
    expect(grown).toBeLessThan(8 * 1024 * 1024);
    reader.close();
  });

  it('finds the same rows before indexing, across the watermark and after', () => {
    const { store } = openStore();
    store.insertMany([...corpus(), ...corpus()]);
    expect(store.indexedThrough()).toBe(0);
    expect(store.unindexedRows()).toBe(14);
    expect(indexed(store.db, 'needle')).toEqual([]);
    const before = results(store);
    // Newest first: by start time, then id (the corpus twice, same start times).
    expect(before.needle![0]).toEqual([13, 6, 11, 4, 10, 3, 9, 2, 8, 1]);
    // A chunk of 5 puts the watermark inside the first copy: half indexed, half read whole.
    expect(store.indexChunk(5)).toEqual({ indexed: 5, more: true });
    expect(store.indexedThrough()).toBe(5);
    expect(results(store)).toEqual(before);
    expect(store.indexChunk(6)).toEqual({ indexed: 6, more: true });
    expect(results(store)).toEqual(before);
    expect(store.indexAll()).toBe(3);
    expect(store.indexedThrough()).toBe(14);
    expect(store.unindexedRows()).toBe(0);
    // Not 6 and 13: their needle is past what the index holds of a long body (such rows are always read).
    expect(indexed(store.db, 'needle')).toEqual([1, 2, 3, 4, 5, 8, 9, 10, 11, 12]);
    expect(results(store)).toEqual(before);
    store.close();
  });

  it('prunes indexed and unindexed rows alike; deleting a rowid the index never held is harmless', () => {
    const { store } = openStore();
    store.insertMany(Array.from({ length: 30 }, (_, index) => row({ started_at: index, url: `http://origin.test/needle/${index}` })));
    store.indexChunk(15);
    // Rows 1-20 go: 1-15 were indexed, 16-20 not.
    while (store.pruneChunk(10, undefined) >= HistoryStore.PRUNE_CHUNK);
    expect(store.count()).toBe(10);
    // The tail is the 10 rows held (21-30), not the 15 ids past the watermark: pruned ids never need indexing.
    expect(store.unindexedRows()).toBe(10);
    expect(indexed(store.db, 'needle')).toEqual([]);
    expect(store.list({ search: 'needle' }).map((s) => s.id)).toEqual(Array.from({ length: 10 }, (_, index) => 30 - index));
    // A contentless index told to delete rows it never held (the trigger skips them; a direct delete must not hurt either).
    store.db.prepare(`DELETE FROM ${SEARCH_TABLE} WHERE rowid = ?`).run(25);
    store.db.prepare(`DELETE FROM ${SEARCH_TABLE} WHERE rowid = ?`).run(99_999);
    store.indexAll();
    expect(indexed(store.db, 'needle')).toEqual(Array.from({ length: 10 }, (_, index) => 21 + index));
    expect(store.list({ search: 'needle/24' }).map((s) => s.id)).toEqual([25]);
    expect(store.list({ search: 'needle', limit: 3 }).map((s) => s.id)).toEqual([30, 29, 28]);
    store.close();
  });

  it('replaces an open WebSocket row in place whether it was indexed or not', () => {
    const { store } = openStore();
    const open = (key: number, text: string) => row({ started_at: key, url: `http://origin.test/ws/${key}`, status: 101, websocket: OPEN_WEBSOCKET, exchangeKey: key, response_headers: JSON.stringify([['x-state', text]]) });
    const closed = (key: number, text: string) => ({ ...open(key, text), websocket: JSON.stringify({ open: false, droppedMessages: 0 }) });
    store.insertMany([open(1, 'opening-one'), open(2, 'opening-two')]);
    store.indexChunk(1); // row 1 indexed, row 2 past the watermark
    store.insertMany([closed(1, 'finished-one'), closed(2, 'finished-two')]);
    expect(store.count()).toBe(2);
    const ids = (search: string) => store.list({ search }).map((s) => s.id);
    expect(ids('finished')).toEqual([2, 1]);
    expect(ids('opening')).toEqual([]);
    expect(indexed(store.db, 'finished-one')).toEqual([1]);
    expect(indexed(store.db, 'opening-one')).toEqual([]);
    store.indexAll();
    expect(ids('finished')).toEqual([2, 1]);
    expect(ids('opening')).toEqual([]);
    expect(indexed(store.db, 'finished')).toEqual([1, 2]);
    store.close();
  });

  it('an older file (every row indexed by migrations 6 and 7) starts with its watermark at its newest row', () => {
    const file = path.join(tempDir(), 'history.db');
    const old = new Database(file);
    for (const migration of MIGRATIONS.slice(0, 7)) migration(old, () => {});
    old.pragma('user_version = 7');
    for (const id of [1, 2, 3]) {
      old.prepare(`INSERT INTO exchanges (started_at, method, url, host, http_version, request_headers, source) VALUES (${id}, 'GET', 'http://old.test/needle/${id}', 'old.test', '1.1', '[]', '')`).run();
      old.prepare(`INSERT INTO ${SEARCH_TABLE} (rowid, url) VALUES (${id}, 'http://old.test/needle/${id}')`).run();
    }
    old.close();
    const { store } = openStore(file);
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.indexedThrough()).toBe(3);
    store.insertMany([row({ started_at: 4, url: 'http://new.test/needle/4' })]);
    expect(store.list({ search: 'needle' }).map((s) => s.id)).toEqual([4, 3, 2, 1]);
    // Pruning an old indexed row takes it out of the index.
    while (store.pruneChunk(2, undefined) >= HistoryStore.PRUNE_CHUNK);
    expect(indexed(store.db, 'needle')).toEqual([3]);
    store.indexAll();
    expect(indexed(store.db, 'needle')).toEqual([3, 4]);
    store.close();
  });

  it('the writer indexes when idle or behind, never on close', async () => {
    const { store, file } = openStore();
    const timing = { idleMs: 50, maxTail: 40, chunkRows: 10, chunkMs: 1000 };
    const writer = new HistoryWriter(store, { maxEntries: 10_000, maxAge: undefined, onWriteError: () => {}, indexer: timing });
    writer.write(Array.from({ length: 30 }, (_, index) => row({ url: `http://origin.test/needle/${index}` })));
    expect(store.indexedThrough()).toBe(0);
    await vi.waitFor(() => expect(store.indexedThrough()).toBe(30), { timeout: 15_000 });
    // Past the bound while writing: indexed down to half of it, batch after batch.
    for (let batch = 0; batch < 10; batch++) {
      writer.write(Array.from({ length: 10 }, () => row()));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(store.unindexedRows()).toBeLessThanOrEqual(timing.maxTail + 10);
    writer.write(Array.from({ length: 100 }, () => row()));
    const left = store.unindexedRows();
    writer.close();
    expect(store.unindexedRows()).toBe(left);
    expect(left).toBeGreaterThan(0);
    store.close();
    // The next run finds the tail and indexes it once idle.
    const again = new HistoryStore(openHistoryDatabase(file).db);
    const next = new HistoryWriter(again, { maxEntries: 10_000, maxAge: undefined, onWriteError: () => {}, indexer: timing });
    await vi.waitFor(() => expect(again.unindexedRows()).toBe(0), { timeout: 15_000 });
    next.close();
    again.close();
  });
});

describe('kill -9 while the writer thread indexes', () => {
  it('leaves the watermark and the index consistent, and searches unchanged', async () => {
    const home = tempDir();
    const file = path.join(home, 'history.db');
    // A long unindexed tail, as a run closed mid-burst leaves it.
    const { store } = openStore(file);
    // The crash child keeps every row (no pruning), so the ids run from 1.
    const total = 9_000;
    const filler = 'lorem ipsum dolor sit amet '.repeat(36);
    for (let start = 0; start < total; start += 1000) {
      store.insertMany(Array.from({ length: 1000 }, (_, index) => row({ started_at: start + index, url: `http://origin.test/item/k${start + index}k`, response_body: Buffer.from(`{"n":${start + index},"text":"body words ${(start + index) % 97}","filler":"${filler}${start + index}"}`) })));
    }
    const before = store.list({ search: 'words 42"' }).map((s) => s.id);
    expect(before).toHaveLength(Math.ceil((total - 42) / 97));
    store.close();
    origin = await startOrigin();
    const child = spawn(process.execPath, [fileURLToPath(new URL('./fixtures/crash-child.mjs', import.meta.url)), home, '20'], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const port = await new Promise<number>((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`the proxy exited (${code}) before listening`)));
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = /port (\d+)/.exec(out);
        if (match) resolve(Number(match[1]));
      });
    });
    // One exchange starts the writer thread; idle after it, it indexes the tail in chunks.
    await new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: `${origin!.url}/one` }, (res) => res.resume().on('end', resolve)).on('error', reject);
    });
    const reader = new Database(file, { readonly: true });
    const through = () => reader.prepare('SELECT indexed_through FROM search_state').pluck().get() as number;
    await vi.waitFor(() => expect(through()).toBeGreaterThan(0), { timeout: 15_000, interval: 5 });
    const seen = through();
    child.kill('SIGKILL');
    await exited;
    reader.close();
    const { store: after } = openStore(file);
    const watermark = after.indexedThrough();
    expect(watermark).toBeGreaterThanOrEqual(seen);
    expect(watermark).toBeLessThan(total);
    // Every row up to the watermark is in the index, none past it.
    const inIndex = after.db.prepare(`SELECT rowid FROM ${SEARCH_TABLE} WHERE ${SEARCH_TABLE} MATCH '"ite" "tem"' ORDER BY rowid`).pluck().all() as number[];
    expect(inIndex).toEqual(Array.from({ length: watermark }, (_, index) => index + 1));
    expect(after.list({ search: 'words 42"' }).map((s) => s.id)).toEqual(before);
    after.indexAll();
    expect(after.list({ search: 'words 42"' }).map((s) => s.id)).toEqual(before);
    after.close();
  }, 60_000);
});

describe('pruning by count during a burst', () => {
  it('lets maxEntries be passed by its slack (5%), then prunes down to maxEntries exactly; close leaves exactly maxEntries', async () => {
    const { store } = openStore();
    const timing = { idleMs: 60_000, maxTail: 1_000_000, chunkRows: 2_000, chunkMs: 25 };
    const writer = new HistoryWriter(store, { maxEntries: 200, maxAge: undefined, onWriteError: () => {}, indexer: timing });
    const batch = (count: number) => Array.from({ length: count }, (_, index) => row({ started_at: index }));
    writer.write(batch(205));
    // Within the slack (200 + 10): nothing is pruned, not even later.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(store.count()).toBe(205);
    writer.write(batch(10));
    await vi.waitFor(() => expect(store.count()).toBe(200), { timeout: 15_000 });
    writer.write(batch(3));
    expect(store.count()).toBe(203);
    writer.close();
    expect(store.count()).toBe(200);
    store.close();
  });
});
