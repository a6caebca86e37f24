/**
 * The write worker: a thread of its own that owns the writing connection to history.db, so
 * SQLite's work (inserts, WAL writes, checkpoints, pruning) never runs on the thread that
 * proxies. The main thread sends batches of rows; each is written in one transaction as it
 * arrives.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS, limitWriterPageCache, openHistoryDatabase, openWritingStore } from './database.js';
import { fileIdentity } from './file-safety.js';
import { HistoryStore } from './store.js';
import type { FromWorker, ToWorker, WriteWorkerData } from './worker-protocol.js';
import { releaseNow } from './release-buffer.js';
import { HistoryWriter } from './writer.js';

const port = parentPort!;
const data = workerData as WriteWorkerData;
const post = (message: FromWorker) => port.postMessage(message);

let writer: HistoryWriter | undefined;
let store: HistoryStore | undefined;
/** The file the open connection writes to, to notice when its path no longer leads to it. */
let identity: string | undefined;

/** `dev:ino` of the file at `data.file` now, or undefined when there is none. */
const currentIdentity = () => fileIdentity(data.file);

/**
 * SQLite keeps writing into a database whose file (or folder) was deleted, and every row would
 * be lost without an error. Before each batch the path is checked; when it no longer leads to
 * the open file, a new database is created in its place (the folder 0700 again) and the main
 * thread is told once. When that fails too, the batch fails as any write does, and is retried.
 */
function reopenIfRemoved(): void {
  if (!writer || currentIdentity() === identity) return;
  try {
    store?.close();
  } catch {
    // The removed file's connection: nothing of it can be kept.
  }
  store = openWritingStore(data.file);
  identity = currentIdentity();
  writer.replaceStore(store);
  post({ type: 'reopened', message: `${data.file} was removed while capturing; a new one was started in its place (what the removed file held is gone)` });
}

try {
  // This thread starts with the first write, and the file the main thread opened may have been
  // removed since (its folder deleted): opening the path as it is would make an empty file with
  // no tables. Then a new history is started in its place, as when a write finds it removed.
  const removed = currentIdentity() !== data.identity;
  let db: Database.Database;
  if (removed) db = openHistoryDatabase(data.file).db;
  else db = new Database(data.file, { timeout: BUSY_TIMEOUT_MS });
  db.pragma('synchronous = NORMAL');
  limitWriterPageCache(db);
  identity = currentIdentity();
  store = new HistoryStore(db);
  if (removed) post({ type: 'reopened', message: `${data.file} was removed while capturing; a new one was started in its place (what the removed file held is gone)` });
  writer = new HistoryWriter(store, {
    maxEntries: data.maxEntries,
    maxAge: data.maxAge,
    maxBytes: data.maxBytes,
    onWriteError: (error, dropped) => post({ type: 'write-failed', message: error instanceof Error ? error.message : String(error), dropped }),
    onWriteResumed: (written, dropped) => post({ type: 'write-resumed', written, dropped }),
  });
  // Retention applies from the start, not only once something new is captured.
  writer.pruneSoon();
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'open-failed', message: error instanceof Error ? error.message : String(error) });
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'write') {
    try {
      reopenIfRemoved();
    } catch (error) {
      // The folder cannot be made again (yet): the batch fails below, reported once, and the next one retries.
      void error;
    }
    writer?.write(message.rows);
    // SQLite has copied the bodies: a download's capture must not wait for this thread's next GC.
    for (const buffer of message.buffers) releaseNow(buffer);
    return;
  }
  // Messages are handled in order and each write commits before the next message, so every
  // batch sent before this one is on disk now.
  if (message.type === 'sync') {
    post({ type: 'synced', id: message.id });
    return;
  }
  // Here, not on the proxy's thread: deleting (and overwriting) a big history takes seconds, and
  // this connection holds the write lock already, so nothing waits for it either.
  if (message.type === 'clear') {
    try {
      post({ type: 'cleared', id: message.id, deleted: store?.clear() ?? 0 });
    } catch (error) {
      post({ type: 'cleared', id: message.id, deleted: 0, error: error instanceof Error ? error.message : String(error) });
    }
    return;
  }
  writer?.close();
  try {
    store?.close();
  } catch {
    // Closing checkpoints the WAL; on a full disk that fails too, and what was committed stays in the WAL.
  }
  post({ type: 'closed', written: writer?.written ?? 0, dropped: writer?.dropped ?? 0 });
  port.close();
});
