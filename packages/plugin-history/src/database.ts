import { existsSync, renameSync } from 'node:fs';
import Database from 'better-sqlite3';
import { CaptureError } from '@capture/core/data';
import { prepareDatabaseFile } from './file-safety.js';
import { ID_RANGE_SQL, migrate, type MigrationNotice } from './schema.js';
import { HistoryStore } from './store.js';

/** The name of the history database in the data folder. */
export const HISTORY_FILE = 'history.db';

/** How long a connection waits for another process's write lock before failing. */
export const BUSY_TIMEOUT_MS = 5000;

/** An open history database and what happened while opening it. */
export interface OpenedDatabase {
  /** The connection, in WAL mode, migrated to the current schema. */
  db: Database.Database;
  /** Set when a damaged file was moved aside: a message for the user (without the plugin's name), and where the file went. */
  movedAside?: { message: string; to: string };
  /** Set when the file's owner or mode was unsafe: one line for the user (see `prepareDatabaseFile`). */
  warning?: string;
}

/**
 * The page cache of a connection that writes captured exchanges, in KiB. Every page a write
 * touches stays cached, up to the connection's limit, and better-sqlite3's default limit is
 * 16 MB: one stored download (a 10 MiB capture, about 2,600 overflow pages) left 11 MiB cached
 * on each writing connection for the rest of the session (heaptrack). Appending rows touches
 * few pages besides the new ones (the table's and indexes' rightmost leaves), so 2 MiB holds
 * what later writes reuse.
 */
export const WRITER_CACHE_KIB = 2048;

/** Caps `db`'s page cache for a connection that writes captured exchanges ({@link WRITER_CACHE_KIB}). */
export function limitWriterPageCache(db: Database.Database): void {
  db.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
}

/** A store on a new connection to `file` that writes captured exchanges (opened as {@link openHistoryDatabase} does, its page cache capped). */
export function openWritingStore(file: string): HistoryStore {
  const { db } = openHistoryDatabase(file);
  limitWriterPageCache(db);
  return new HistoryStore(db);
}

/** True for SQLite errors that mean the file itself is damaged or not a database. */
export function isCorruptionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
}

/**
 * Opens (creating when missing) the history database at `file`: WAL mode so readers never block
 * the writer and a killed process loses nothing committed, a busy timeout so two capture
 * processes take turns, and the schema migrated. A damaged file is never deleted: it is moved to
 * `history.db.corrupt-<time>` (with its `-wal` and `-shm`) and a fresh one is started, and the
 * result says so. Other failures (a read-only folder, a full disk) throw a `CaptureError`
 * naming the file. `notice` hears about long one-time steps of a migration (indexing an older
 * file's rows for search), before and after them.
 */
export function openHistoryDatabase(file: string, notice?: MigrationNotice): OpenedDatabase {
  let warning: string | undefined;
  try {
    warning = prepareDatabaseFile(file);
  } catch (error) {
    throw asCaptureError(file, error);
  }
  try {
    return { db: openAndPrepare(file, notice), ...(warning ? { warning } : {}) };
  } catch (error) {
    if (!isCorruptionError(error)) throw asCaptureError(file, error);
    const to = moveAside(file);
    const reason = error instanceof Error ? error.message : String(error);
    const message = `${file} is damaged (${reason}); moved it to ${to} and started a new history`;
    try {
      prepareDatabaseFile(file);
      return { db: openAndPrepare(file, notice), movedAside: { message, to } };
    } catch (again) {
      throw asCaptureError(file, again);
    }
  }
}

/** True for SQLite's "database is locked" (SQLITE_BUSY and its extended codes). */
function isBusyError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}

/**
 * {@link openOnce}, again after a short wait while the file is locked, for up to
 * {@link BUSY_TIMEOUT_MS}. Two processes opening a new file at once both read it, then both ask
 * to switch it to WAL: SQLite answers one of them "database is locked" at once, without its busy
 * handler (waiting could not end that deadlock), though the other is done in milliseconds.
 */
function openAndPrepare(file: string, notice?: MigrationNotice): Database.Database {
  const deadline = Date.now() + BUSY_TIMEOUT_MS;
  for (let wait = 5; ; wait = Math.min(wait * 2, 100)) {
    try {
      return openOnce(file, notice);
    } catch (error) {
      if (!isBusyError(error) || Date.now() + wait > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, wait);
    }
  }
}

function openOnce(file: string, notice?: MigrationNotice): Database.Database {
  const db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  try {
    // The first statement that reads the file: a damaged header fails here.
    db.pragma('journal_mode = WAL');
    // In WAL mode NORMAL loses nothing on a process crash (only on power loss), and keeps
    // commits cheap enough to batch several times a second.
    db.pragma('synchronous = NORMAL');
    migrate(db, file, notice);
    // Walks the table's b-tree from its root to both ends, so a damaged root or edge page is
    // found now rather than on the first write. (count(*) read a whole index: 190 ms at a
    // million rows, on every command and start.)
    db.prepare(ID_RANGE_SQL).get();
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Moves a damaged database (and its WAL and shared-memory files) to `<file>.corrupt-<time>`; returns the new path. */
export function moveAside(file: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  let to = `${file}.corrupt-${stamp}`;
  for (let n = 2; existsSync(to); n++) to = `${file}.corrupt-${stamp}-${n}`;
  renameSync(file, to);
  for (const suffix of ['-wal', '-shm']) {
    // The WAL may hold the newest pages of the damaged file: keep it beside the copy.
    if (existsSync(file + suffix)) renameSync(file + suffix, to + suffix);
  }
  return to;
}

function asCaptureError(file: string, error: unknown): CaptureError {
  if (error instanceof CaptureError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new CaptureError('HISTORY_OPEN_FAILED', `cannot open ${file}: ${reason}`, { cause: error });
}
