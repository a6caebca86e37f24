/**
 * The write worker: a thread of its own that owns the writing connection to history.db, so
 * SQLite's work (inserts, WAL writes, checkpoints, pruning) never runs on the thread that
 * proxies. The main thread sends batches of rows; each is written in one transaction as it
 * arrives.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS } from './database.js';
import { HistoryStore } from './store.js';
import type { FromWorker, ToWorker, WriteWorkerData } from './worker-protocol.js';
import { HistoryWriter } from './writer.js';

const port = parentPort!;
const data = workerData as WriteWorkerData;
const post = (message: FromWorker) => port.postMessage(message);

let writer: HistoryWriter | undefined;
let store: HistoryStore | undefined;
try {
  const db = new Database(data.file, { timeout: BUSY_TIMEOUT_MS });
  db.pragma('synchronous = NORMAL');
  store = new HistoryStore(db);
  writer = new HistoryWriter(store, {
    maxEntries: data.maxEntries,
    maxAge: data.maxAge,
    onWriteError: (error, dropped) => post({ type: 'write-failed', message: error instanceof Error ? error.message : String(error), dropped }),
  });
  // Retention applies from the start, not only once something new is captured.
  writer.pruneSoon();
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'open-failed', message: error instanceof Error ? error.message : String(error) });
}

port.on('message', (message: ToWorker) => {
  if (message.type === 'write') {
    writer?.write(message.rows);
    return;
  }
  // Messages are handled in order and each write commits before the next message, so every
  // batch sent before this one is on disk now.
  if (message.type === 'sync') {
    post({ type: 'synced', id: message.id });
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
