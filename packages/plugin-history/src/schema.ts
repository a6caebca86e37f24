import type Database from 'better-sqlite3';
import { hostOf } from '@capture/core';

/**
 * The history database's layout, as numbered migrations. `PRAGMA user_version` records the
 * version a file is at; opening a file runs the migrations it lacks, in order, each in its own
 * transaction, so a newer capture opens an older file. Never edit a released migration: add one.
 */
export const MIGRATIONS: ReadonlyArray<(db: Database.Database) => void> = [
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
];

/** The version a file is at once every migration has run. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Brings a database to {@link SCHEMA_VERSION}. The version is read again inside a write
 * transaction, so two processes opening one file at once migrate it once. A file from a newer
 * capture (a higher version) is refused rather than guessed at.
 */
export function migrate(db: Database.Database, file: string): void {
  const current = () => db.pragma('user_version', { simple: true }) as number;
  if (current() === SCHEMA_VERSION) return;
  db.transaction(() => {
    const from = current();
    if (from > SCHEMA_VERSION) {
      throw new SchemaTooNewError(`${file} was written by a newer capture (schema version ${from}; this one knows up to ${SCHEMA_VERSION}): upgrade capture or move the file away`);
    }
    for (let version = from; version < SCHEMA_VERSION; version++) MIGRATIONS[version]!(db);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

/** A database from a newer capture than this one. */
export class SchemaTooNewError extends Error {
  override readonly name = 'SchemaTooNewError';
}
