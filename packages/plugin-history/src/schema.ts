import type Database from 'better-sqlite3';
import { hostOf } from '@capture/core/record';
import { PIECES_TABLE } from './body-pieces.js';
import { INDEXED_BODY_BYTES, isText, SEARCH_PARTIAL, SEARCH_STATE_TABLE, SEARCH_TABLE, searchText } from './search-index.js';

/**
 * The history database's layout, as numbered migrations. `PRAGMA user_version` records the
 * version a file is at; opening a file runs the migrations it lacks, in order, each in its own
 * transaction, so a newer capture opens an older file. Never edit a released migration: add one.
 */
export const MIGRATIONS: ReadonlyArray<(db: Database.Database, notice: MigrationNotice) => void> = [
  // 1: the first layout: one row per exchange, headers as JSON, bodies as bytes.
  (db) => {
    db.exec(`
      CREATE TABLE exchanges (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at INTEGER NOT NULL,
        method TEXT NOT NULL,
        url TEXT NOT NULL,
        http_version TEXT NOT NULL,
        request_headers TEXT NOT NULL,
        request_body BLOB,
        request_body_size INTEGER NOT NULL DEFAULT 0,
        request_body_truncated INTEGER NOT NULL DEFAULT 0,
        client_address TEXT,
        status INTEGER,
        status_message TEXT,
        response_headers TEXT,
        response_body BLOB,
        response_body_size INTEGER,
        response_body_truncated INTEGER NOT NULL DEFAULT 0,
        duration REAL
      );
      CREATE INDEX exchanges_started_at ON exchanges (started_at);
    `);
  },
  // 2: the host as its own indexed column (backfilled from the URL), failures, TLS, mocks, the
  // time to first byte, why a body was not captured, and how bodies were encoded on the wire.
  (db) => {
    db.exec(`
      ALTER TABLE exchanges ADD COLUMN host TEXT NOT NULL DEFAULT '';
      ALTER TABLE exchanges ADD COLUMN client_port INTEGER;
      ALTER TABLE exchanges ADD COLUMN tls INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE exchanges ADD COLUMN mocked INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE exchanges ADD COLUMN error_code TEXT;
      ALTER TABLE exchanges ADD COLUMN error_message TEXT;
      ALTER TABLE exchanges ADD COLUMN first_byte REAL;
      ALTER TABLE exchanges ADD COLUMN request_body_skipped TEXT;
      ALTER TABLE exchanges ADD COLUMN request_body_encoding TEXT;
      ALTER TABLE exchanges ADD COLUMN request_body_decoded INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE exchanges ADD COLUMN response_http_version TEXT;
      ALTER TABLE exchanges ADD COLUMN response_body_skipped TEXT;
      ALTER TABLE exchanges ADD COLUMN response_body_encoding TEXT;
      ALTER TABLE exchanges ADD COLUMN response_body_decoded INTEGER NOT NULL DEFAULT 0;
    `);
    // Core's hostOf, so a backfilled host reads as a newly captured one does.
    db.function('capture_url_host', { deterministic: true }, (url: unknown) => hostOf(String(url)));
    db.exec(`
      UPDATE exchanges SET host = capture_url_host(url), response_http_version = CASE WHEN status IS NULL THEN NULL ELSE http_version END;
      CREATE INDEX exchanges_host ON exchanges (host);
      CREATE INDEX exchanges_status ON exchanges (status);
      CREATE INDEX exchanges_method ON exchanges (method);
    `);
  },
  // 3: where the exchange came from (`run:npm` for `capture run`, else the client's address).
  // Rows written before sources existed came from their client, so they read as such.
  (db) => {
    db.exec(`
      ALTER TABLE exchanges ADD COLUMN source TEXT NOT NULL DEFAULT '';
      UPDATE exchanges SET source = coalesce(client_address, '');
      CREATE INDEX exchanges_source ON exchanges (source);
    `);
  },
  // 4: trailer fields sent after each body (HTTP/2 and chunked HTTP/1.1; gRPC's `grpc-status`),
  // as JSON header lists; NULL when none were sent, as in every row written before.
  (db) => {
    db.exec(`
      ALTER TABLE exchanges ADD COLUMN request_trailers TEXT;
      ALTER TABLE exchanges ADD COLUMN response_trailers TEXT;
    `);
  },
  // 5: what plugins record about an exchange's protocol: a WebSocket connection (how it closed,
  // as JSON; its messages in their own table, one row each, in order) and a gRPC call (its
  // decoded messages and status, as JSON). Messages go with their exchange when it is deleted.
  (db) => {
    db.exec(`
      ALTER TABLE exchanges ADD COLUMN websocket TEXT;
      ALTER TABLE exchanges ADD COLUMN grpc TEXT;
      CREATE TABLE websocket_messages (
        exchange_id INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        from_client INTEGER NOT NULL,
        opcode INTEGER NOT NULL,
        time INTEGER NOT NULL,
        size INTEGER NOT NULL,
        text TEXT,
        base64 TEXT,
        truncated INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (exchange_id, seq)
      ) WITHOUT ROWID;
      CREATE TRIGGER exchanges_delete_messages AFTER DELETE ON exchanges
        BEGIN DELETE FROM websocket_messages WHERE exchange_id = old.id; END;
    `);
  },
  // 6: the search index (`--search`, the web view's search box): what the search reads (URL,
  // headers, bodies) in an FTS5 trigram table. Contentless (it keeps no copy of the text) and
  // detail=none (no positions): it only narrows a search to the rows holding every trigram of
  // the text, which the exact test of `query.ts` then checks. The writer indexes each row in the
  // row's own transaction (`search-index.ts` says what of a body is indexed); a trigger takes a
  // deleted row out (pruning, clear). `search_binary` marks rows with a body that is not UTF-8
  // text, which a search for text with other characters than printable ASCII still reads.
  // An older file's rows are indexed here, once. The host index gains the start time, so one
  // host's newest rows are read in order from it, without sorting every row of that host.
  (db, notice) => {
    db.exec(`
      DROP INDEX exchanges_host;
      CREATE INDEX exchanges_host ON exchanges (host, started_at);
      ALTER TABLE exchanges ADD COLUMN search_binary INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX exchanges_search_binary ON exchanges (id) WHERE search_binary = 1;
      CREATE VIRTUAL TABLE ${SEARCH_TABLE} USING fts5(url, request_headers, response_headers, request_body, response_body,
        content='', contentless_delete=1, detail=none, tokenize='trigram');
      CREATE TRIGGER exchanges_search_delete AFTER DELETE ON exchanges BEGIN DELETE FROM ${SEARCH_TABLE} WHERE rowid = old.id; END;
      -- Deleted rows stay as tombstones until the index's own merges (run as rows are added) drop
      -- them: by default FTS5 rewrites a segment as soon as a tenth of it is deleted, which made
      -- pruning (the oldest rows, all the time) six times dearer than the inserts, and it fell
      -- behind under load (history grew past maxEntries).
      INSERT INTO ${SEARCH_TABLE} (${SEARCH_TABLE}, rank) VALUES ('deletemerge', 0);
    `);
    const rows = db.prepare('SELECT count(*) FROM exchanges').pluck().get() as number;
    if (!rows) return;
    const started = performance.now();
    notice(`building the search index for the ${rows} exchange(s) already in history (once, for a file from an older capture)`);
    db.function('capture_search_text', { deterministic: true }, (body: unknown) => (body instanceof Uint8Array ? searchText(body) : body) as string | Buffer | null);
    db.function('capture_search_binary', { deterministic: true }, (body: unknown) => (body instanceof Uint8Array && !isText(body) ? 1 : 0));
    db.exec(`
      INSERT INTO ${SEARCH_TABLE} (rowid, url, request_headers, response_headers, request_body, response_body)
        SELECT id, url, request_headers, response_headers, capture_search_text(request_body), capture_search_text(response_body) FROM exchanges;
      UPDATE exchanges SET search_binary = 1 WHERE capture_search_binary(request_body) OR capture_search_binary(response_body);
      INSERT INTO ${SEARCH_TABLE} (${SEARCH_TABLE}) VALUES ('optimize');
    `);
    notice(`built the search index for ${rows} exchange(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  },
  // 7: the index holds the first INDEXED_BODY_BYTES of each body (indexing whole large bodies
  // stalled the writer); rows with a longer body are marked SEARCH_PARTIAL, found by their own
  // partial index and read by every search. Rows version 6 indexed whole are marked too (harmless).
  (db) => {
    db.exec(`
      CREATE INDEX exchanges_search_partial ON exchanges (id) WHERE search_binary = ${SEARCH_PARTIAL};
      UPDATE exchanges SET search_binary = ${SEARCH_PARTIAL}
        WHERE length(request_body) > ${INDEXED_BODY_BYTES} OR length(response_body) > ${INDEXED_BODY_BYTES};
    `);
  },
  // 8: the index is built in the background (`search-indexer.ts`), off the writes: every row with
  // an id up to `indexed_through` is in it, every later one is not, and a search reads those
  // later ones too. Versions 6 and 7 indexed each row as it was written, so a file's watermark
  // starts at its newest row. The delete trigger now skips rows the index never held.
  (db) => {
    db.exec(`
      CREATE TABLE ${SEARCH_STATE_TABLE} (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_through INTEGER NOT NULL);
      INSERT INTO ${SEARCH_STATE_TABLE} (id, indexed_through) VALUES (1, coalesce((SELECT max(id) FROM exchanges), 0));
      DROP TRIGGER exchanges_search_delete;
      CREATE TRIGGER exchanges_search_delete AFTER DELETE ON exchanges WHEN old.id <= (SELECT indexed_through FROM ${SEARCH_STATE_TABLE})
        BEGIN DELETE FROM ${SEARCH_TABLE} WHERE rowid = old.id; END;
    `);
  },
  // 9: bodies longer than BODY_PIECE_BYTES are kept out of their row, in pieces of that size
  // (`body-pieces.ts` says why); `body_pieces` has bit 1 set when the request's body is there and
  // bit 2 for the response's. Rows written before keep their bodies in place.
  (db) => {
    db.exec(`
      ALTER TABLE exchanges ADD COLUMN body_pieces INTEGER NOT NULL DEFAULT 0;
      CREATE TABLE ${PIECES_TABLE} (
        exchange_id INTEGER NOT NULL,
        side INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        bytes BLOB NOT NULL,
        PRIMARY KEY (exchange_id, side, seq)
      );
      CREATE TRIGGER exchanges_delete_pieces AFTER DELETE ON exchanges WHEN old.body_pieces != 0
        BEGIN DELETE FROM ${PIECES_TABLE} WHERE exchange_id = old.id; END;
    `);
  },
];

/** Told what a migration is doing that takes a while (building an index over an old file's rows). */
export type MigrationNotice = (message: string) => void;

/** The version a file is at once every migration has run. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings a database to {@link SCHEMA_VERSION}. The version is read again inside a write
 * transaction, so two processes opening one file at once migrate it once. A file from a newer
 * capture (a higher version) is refused rather than guessed at. `notice` hears about long steps
 * (with the file's name left to the caller).
 */
export function migrate(db: Database.Database, file: string, notice: MigrationNotice = () => {}): void {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  if (current() === SCHEMA_VERSION) return;
  db.transaction(() => {
    const from = current();
    if (from > SCHEMA_VERSION) {
      throw new SchemaTooNewError(`${file} was written by a newer capture (schema version ${from}; this one knows up to ${SCHEMA_VERSION}): upgrade capture or move the file away`);
    }
    for (let version = from; version < SCHEMA_VERSION; version++) MIGRATIONS[version]!(db, notice);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** A database from a newer capture than this one. */
export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
}

/**
 * The oldest and newest ids, from the two ends of the table's b-tree. Two subqueries: SQLite
 * answers a lone min() or max() from one end, but both in one SELECT scan every row (8 ms at
 * 200,000 rows, 40 at a million, after every batch the writer wrote).
 */
export const ID_RANGE_SQL = 'SELECT (SELECT min(id) FROM exchanges) AS oldest, (SELECT max(id) FROM exchanges) AS newest';
