import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history from '../src/index.js';
import { BODY_PIECE_BYTES, PIECES_TABLE } from '../src/body-pieces.js';
import { limitWriterPageCache } from '../src/database.js';
import type { HistoryStore } from '../src/store.js';
import { historyRow as row, openTempStore } from './helpers/rows.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
  cleanupAll();
});

/** Bytes that differ at every offset, so a piece out of order or a byte lost shows. */
function numbered(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

function pieces(store: HistoryStore, id: number): Array<{ side: number; seq: number; length: number }> {
  return store.db.prepare(`SELECT side, seq, length(bytes) AS length FROM ${PIECES_TABLE} WHERE exchange_id = ? ORDER BY side, seq`).all(id) as Array<{ side: number; seq: number; length: number }>;
}

describe('long bodies kept in pieces', () => {
  it('keeps a body over BODY_PIECE_BYTES out of its row, in pieces, and reads it back byte for byte', () => {
    const { store } = openTempStore();
    const upload = numbered(BODY_PIECE_BYTES + 10, 1);
    const download = numbered(3 * BODY_PIECE_BYTES, 2);
    const small = numbered(BODY_PIECE_BYTES, 3);
    store.insertMany([row({ started_at: 1, request_body: upload, response_body: download }), row({ started_at: 2, response_body: small })]);
    const stored = store.db.prepare('SELECT request_body, response_body, body_pieces FROM exchanges ORDER BY id').all();
    expect(stored).toEqual([
      { request_body: null, response_body: null, body_pieces: 3 },
      { request_body: null, response_body: small, body_pieces: 0 },
    ]);
    expect(pieces(store, 1)).toEqual([
      { side: 0, seq: 0, length: BODY_PIECE_BYTES },
      { side: 0, seq: 1, length: 10 },
      { side: 1, seq: 0, length: BODY_PIECE_BYTES },
      { side: 1, seq: 1, length: BODY_PIECE_BYTES },
      { side: 1, seq: 2, length: BODY_PIECE_BYTES },
    ]);
    const exchange = store.get(1)!;
    expect(Buffer.compare(exchange.request.body!.bytes, upload)).toBe(0);
    expect(Buffer.compare(exchange.response!.body!.bytes, download)).toBe(0);
    expect([...store.exchanges()].map((whole) => whole.response?.body?.bytes.length)).toEqual([download.length, small.length]);
    store.close();
  });

  it('finds a search in a long body, across the edge of two pieces too, and nothing that is not there', () => {
    const { store } = openTempStore();
    const body = Buffer.alloc(2 * BODY_PIECE_BYTES + 100, '.');
    body.write('needle-across', BODY_PIECE_BYTES - 6);
    body.write('needle-inside', BODY_PIECE_BYTES + 500);
    store.insertMany([row({ started_at: 1, url: 'http://origin.test/long', response_body: body }), row({ started_at: 2, url: 'http://origin.test/short' })]);
    store.indexAll();
    const urls = (search: string) => store.list({ search }).map((summary) => summary.url);
    expect(urls('needle-across')).toEqual(['http://origin.test/long']);
    expect(urls('needle-inside')).toEqual(['http://origin.test/long']);
    expect(urls('needle-missing')).toEqual([]);
    store.close();
  });

  it('deletes the pieces with their exchange, pruned or cleared', () => {
    const { store } = openTempStore();
    const body = numbered(2 * BODY_PIECE_BYTES, 4);
    store.insertMany([1, 2, 3].map((n) => row({ started_at: n, response_body: body })));
    while (store.pruneChunk(1, undefined) > 0);
    expect(store.db.prepare(`SELECT DISTINCT exchange_id FROM ${PIECES_TABLE}`).pluck().all()).toEqual([3]);
    store.clear();
    expect(store.db.prepare(`SELECT count(*) FROM ${PIECES_TABLE}`).pluck().get()).toBe(0);
    store.close();
  });

  it('reads a long body an older capture kept in its row', () => {
    const { store } = openTempStore();
    const body = numbered(BODY_PIECE_BYTES * 2, 5);
    store.insertMany([row({ started_at: 1 })]);
    store.db.prepare('UPDATE exchanges SET response_body = ? WHERE id = 1').run(body);
    expect(Buffer.compare(store.get(1)!.response!.body!.bytes, body)).toBe(0);
    store.close();
  });

  // better-sqlite3 binds a BLOB as SQLITE_TRANSIENT (a copy) and SQLite builds the row in one more
  // buffer: a 24 MiB body in its row raised the writer's peak by 48 MiB. VmHWM is reset through
  // /proc/self/clear_refs so the peak measured is this write's.
  it.runIf(process.platform === 'linux')("raises the writing thread's peak memory by a few pieces, not by copies of the body", () => {
    const { store } = openTempStore();
    limitWriterPageCache(store.db);
    store.insertMany([row({ started_at: 1, response_body: numbered(BODY_PIECE_BYTES * 2, 6) })]);
    const body = Buffer.alloc(24 * 1024 * 1024, 'z');
    const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024;
    writeFileSync('/proc/self/clear_refs', '5');
    const before = kib('VmRSS');
    store.insertMany([row({ started_at: 2, response_body: body })]);
    const peak = kib('VmHWM') - before;
    expect(store.get(2)!.response!.body!.bytes.length).toBe(body.length);
    expect(peak).toBeLessThan(12 * 1024 * 1024);
    store.close();
  });

  it('records a 3 MiB download through the proxy whole, as history show and exports read it', async () => {
    const download = numbered(3 * 1024 * 1024, 7);
    origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(download);
    });
    const plugin = history({ flushInterval: 10 });
    proxy = await startProxy({ dataDir: tempDir(), plugins: [plugin] });
    const res = await requestThroughProxy(proxy.port, `${origin.url}/file.bin`);
    expect(res.status).toBe(200);
    await plugin.api!.flush();
    const [summary] = await plugin.api!.listAsync({});
    const stored = await plugin.api!.getAsync(summary!.id);
    expect(Buffer.compare(stored!.response!.body!.bytes, download)).toBe(0);
    expect(stored!.response!.body!.truncated).toBe(false);
  });
});
