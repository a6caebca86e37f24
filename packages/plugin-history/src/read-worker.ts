/**
 * The read worker: a thread of its own with a read-only connection to history.db, so a slow
 * query (a search over a big history) runs beside the proxy instead of on its thread. In WAL mode
 * it reads a consistent snapshot while the write worker commits. Reads are answered in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { BUSY_TIMEOUT_MS } from './database.js';
import { HistoryStore } from './store.js';
import type { FromReader, ReadOp, ToReader } from './worker-protocol.js';

const port = parentPort!;
const post = (message: FromReader) => port.postMessage(message);

let store: HistoryStore | undefined;
try {
  // The main thread created and migrated the file and the writer keeps it in WAL mode.
  store = new HistoryStore(new Database((workerData as { file: string }).file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS }));
  post({ type: 'ready' });
} catch (error) {
  post({ type: 'open-failed', message: error instanceof Error ? error.message : String(error) });
}

function run(read: ReadOp, open: HistoryStore): unknown {
  if (read.op === 'list') return open.list(read.filter);
  if (read.op === 'get') return open.get(read.id);
  return [...open.exchanges(read.filter)];
}

port.on('message', (message: ToReader | { type: 'close' }) => {
  if ('type' in message) {
    store?.close();
    port.close();
    return;
  }
  if (!store) return post({ type: 'failed', request: message.request, message: 'history is not open' });
  try {
    post({ type: 'result', request: message.request, value: run(message, store) });
  } catch (error) {
    post({ type: 'failed', request: message.request, message: error instanceof Error ? error.message : String(error) });
  }
});
