import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openHistoryDatabase } from '../src/database.js';
import type { HistoryRow } from '../src/record.js';
import { MIGRATIONS } from '../src/schema.js';
import { INDEXED_BODY_BYTES, SEARCH_PARTIAL, SEARCH_TABLE } from '../src/search-index.js';
import { HistoryStore } from '../src/store.js';
import { historyRow as row, openTempStore as openStore } from './helpers/rows.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

afterEach(cleanupAll);

/** What the search index holds for a text, by its own query (the rows it narrows a search to). */
function indexed(store: HistoryStore, text: string): number[] {
  const trigrams = Array.from({ length: text.length - 2 }, (_, index) => `"${text.slice(index, index + 3)}"`).join(' ');
  return store.db.prepare(`SELECT rowid FROM ${SEARCH_TABLE} WHERE ${SEARCH_TABLE} MATCH ? ORDER BY rowid`).pluck().all(trigrams) as number[];
}

const ids = (store: HistoryStore, search: string, limit?: number) => store.list({ search, ...(limit ? { limit } : {}) }).map((summary) => summary.id);

describe('the search index', () => {
  it('leaves a long body out of the index, indexes its row\'s URL and headers, and still finds any text in it (such rows are always read)', () => {
    const { store } = openStore();
    // Random base64 is the dearest text to index (every trigram new): a 2 MiB body indexed whole
    // took the writer seconds, and reading a download's body back cost the writer a copy of it.
    const noise = Buffer.from(Array.from({ length: 2 * 1024 * 1024 }, (_, index) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'[(index * 7919 + (index >> 5) * 104729) % 64]).join(''));
    const lateNeedle = Buffer.concat([Buffer.from('early-word '), noise, Buffer.from(' needle at the end')]);
    store.insertMany([row({ started_at: 1, url: 'http://origin.test/long-download', response_body: lateNeedle }), row({ started_at: 2, response_body: Buffer.from('a needle early') }), row({ started_at: 3 })]);
    const flags = store.db.prepare('SELECT search_binary FROM exchanges ORDER BY id').pluck().all();
    expect(flags).toEqual([SEARCH_PARTIAL, 0, 0]);
    expect(ids(store, 'needle')).toEqual([2, 1]);
    store.indexAll();
    expect(indexed(store, 'needle')).toEqual([2]);
    expect(ids(store, 'needle')).toEqual([2, 1]);
    expect(ids(store, 'at the end')).toEqual([1]);
    expect(indexed(store, 'early-word')).toEqual([]);
    expect(ids(store, 'early-word')).toEqual([1]);
    expect(indexed(store, 'long-download')).toEqual([1]);
    expect(ids(store, 'long-download')).toEqual([1]);
    // A body just at the limit is indexed whole, one byte more is not.
    store.insertMany([row({ started_at: 4, response_body: Buffer.alloc(INDEXED_BODY_BYTES, 'k') }), row({ started_at: 5, response_body: Buffer.alloc(INDEXED_BODY_BYTES + 1, 'k') })]);
    expect(store.db.prepare('SELECT search_binary FROM exchanges WHERE id > 3 ORDER BY id').pluck().all()).toEqual([0, SEARCH_PARTIAL]);
  });

  it('finds what a scan finds: the URL in any case, headers and bodies as written, binary bodies by their bytes', () => {
    const { store } = openStore();
    store.insertMany([
      row({ started_at: 1, url: 'http://origin.test/find/NeedleInUrl' }),
      row({ started_at: 2, request_headers: JSON.stringify([['x-tag', 'needle-header']]) }),
      row({ started_at: 3, request_headers: JSON.stringify([['x-tag', 'NEEDLE-header']]) }),
      row({ started_at: 4, request_body: Buffer.from('{"q":"a needle here"}') }),
      row({ started_at: 5, response_body: Buffer.concat([Buffer.from([0, 0xff, 0xfe]), Buffer.from('needle'), Buffer.from([0xc3])]) }),
      // Every trigram of "needle", never the word: the index offers it, the exact test refuses it.
      row({ started_at: 6, response_body: Buffer.from('nee eed edl dle') }),
      row({ started_at: 7, response_body: Buffer.from('Needle, capitalised in a body') }),
      row({ started_at: 8, url: 'http://origin.test/caf%C3%A9', response_body: Buffer.from('un café crème') }),
    ]);
    expect(ids(store, 'needle')).toEqual([5, 4, 2, 1]);
    expect(ids(store, 'NEEDLE')).toEqual([3, 1]);
    store.indexAll();
    expect(ids(store, 'needle')).toEqual([5, 4, 2, 1]);
    expect(indexed(store, 'needle')).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(ids(store, 'café')).toEqual([8]);
    expect(ids(store, 'CAFÉ')).toEqual([]);
    // Under 3 characters the index cannot narrow: the search reads every row, same rule.
    expect(ids(store, 'é ')).toEqual([8]);
    expect(ids(store, 'Ne')).toEqual([7, 1]);
    // Quotes and FTS5 syntax in the text are plain text.
    store.insertMany([row({ started_at: 9, url: 'http://origin.test/?q="a" OR b*' })]);
    expect(ids(store, '"a" OR b*')).toEqual([9]);
    expect(ids(store, 'OR NOT')).toEqual([]);
    store.close();
  });

  it('indexes a binary body by its printable runs only, and still finds any text in it', () => {
    const { store } = openStore();
    const random = (size: number, seed: number) => Buffer.from(Array.from({ length: size }, (_, index) => (index * 7919 + seed * 104729) % 251));
    store.insertMany([
      row({ started_at: 1, response_body: Buffer.concat([random(4096, 1), Buffer.from('needle'), random(4096, 2)]) }),
      row({ started_at: 2, response_body: Buffer.concat([Buffer.from([0xff]), Buffer.from('café'), Buffer.from([0xfe])]) }),
      row({ started_at: 3, request_body: Buffer.from('café as text') }),
      row({ started_at: 4, response_body: random(65536, 3) }),
    ]);
    expect(ids(store, 'needle')).toEqual([1]);
    // Not printable ASCII: the rows with binary bodies are read as well as the index's.
    expect(ids(store, 'café')).toEqual([3, 2]);
    expect(ids(store, 'caf')).toEqual([3, 2]);
    const marked = store.db.prepare('SELECT id FROM exchanges WHERE search_binary = 1 ORDER BY id').pluck().all();
    expect(marked).toEqual([1, 2]);
    // Longer than the index holds: read by every search instead.
    expect(store.db.prepare('SELECT search_binary FROM exchanges WHERE id = 4').pluck().get()).toBe(SEARCH_PARTIAL);
    store.close();
  });

  it('lists the newest matches first whether the index leads (a rare word) or a walk from the newest does (a common one)', () => {
    const { store } = openStore();
    const rows: HistoryRow[] = [];
    for (let i = 1; i <= 25_000; i++) rows.push(row({ started_at: i, url: `http://origin.test/items/${i}${i % 1000 === 0 ? '?tag=needle' : '?tag=common'}` }));
    store.insertMany(rows);
    store.indexAll();
    expect(ids(store, 'tag=needle', 3)).toEqual([25_000, 24_000, 23_000]);
    expect(ids(store, 'tag=needle')).toHaveLength(25);
    expect(ids(store, 'tag=common', 3)).toEqual([24_999, 24_998, 24_997]);
    expect(store.list({ search: 'tag=common', host: 'origin.test', limit: 2, before: { startedAt: 24_998, id: 24_998 } }).map((summary) => summary.id)).toEqual([24_997, 24_996]);
    store.close();
  });

  it('follows the table: pruning and clear take rows out of the index in the same transaction', () => {
    const { store } = openStore();
    store.insertMany(Array.from({ length: 30 }, (_, index) => row({ started_at: index, url: `http://origin.test/needle/${index}` })));
    store.indexAll();
    expect(indexed(store, 'needle')).toHaveLength(30);
    while (store.pruneChunk(10, undefined) >= HistoryStore.PRUNE_CHUNK);
    expect(indexed(store, 'needle')).toEqual(Array.from({ length: 10 }, (_, index) => 21 + index));
    expect(ids(store, 'needle')).toEqual(Array.from({ length: 10 }, (_, index) => 30 - index));
    expect(store.clear()).toBe(10);
    expect(indexed(store, 'needle')).toEqual([]);
    store.insertMany([row({ url: 'http://origin.test/needle/after' })]);
    expect(ids(store, 'needle')).toEqual([31]);
    store.close();
  });

  it('is built once for a file from before it, said before and after, keeping every row', () => {
    const file = path.join(tempDir(), 'history.db');
    const old = new Database(file);
    for (const migration of MIGRATIONS.slice(0, 5)) migration(old, () => {});
    old.pragma('user_version = 5');
    old.prepare("INSERT INTO exchanges (started_at, method, url, host, http_version, request_headers, source) VALUES (1, 'GET', 'http://old.test/needle', 'old.test', '1.1', '[]', '')").run();
    old.close();
    const notices: string[] = [];
    const store = new HistoryStore(openHistoryDatabase(file, (message) => notices.push(message)).db);
    expect(notices).toEqual([
      'building the search index for the 1 exchange(s) already in history (once, for a file from an older capture)',
      expect.stringMatching(/^built the search index for 1 exchange\(s\) in \d+\.\d s$/),
    ]);
    expect(ids(store, 'needle')).toEqual([1]);
    store.close();
    const again: string[] = [];
    new HistoryStore(openHistoryDatabase(file, (message) => again.push(message)).db).close();
    expect(again).toEqual([]);
  });
});

describe('--host', () => {
  it('matches the host, its subdomains and any port, from the stored hosts, and nothing for a host never seen', () => {
    const { store } = openStore();
    store.insertMany(
      ['example.com', 'api.example.com:8443', 'badexample.com', 'example.com.evil.test', 'EXAMPLE.org', '[::1]:8080'].map((host, index) => row({ started_at: index, host })),
    );
    const hosts = (host: string) => store.list({ host, limit: 50 }).map((summary) => summary.host);
    expect(hosts('example.com')).toEqual(['api.example.com:8443', 'example.com']);
    expect(hosts('Example.COM')).toEqual(['api.example.com:8443', 'example.com']);
    expect(hosts('example.org')).toEqual(['EXAMPLE.org']);
    expect(hosts('never.test')).toEqual([]);
    expect(store.list({ host: 'example.com' }).map((summary) => summary.id)).toEqual([2, 1]);
    store.close();
  });
});
