import type { HistoryRow } from './record.js';
import type { HistoryFilter } from './query.js';

/** What the write worker is started with. */
export interface WriteWorkerData {
  /** The database file (already created and migrated by the main thread). */
  file: string;
  /** Which file that was when the main thread opened it (`fileIdentity`): a different one now means it was removed since. */
  identity: string | undefined;
  /** Retention. */
  maxEntries: number;
  /** Retention by age, in ms. */
  maxAge: number | undefined;
  /** Retention by size, in bytes. */
  maxBytes: number;
}

/** Messages from the main thread to the write worker. */
export type ToWorker =
  /** Rows to write; their bodies are views into `buffers`, transferred with them and freed once written. */
  | { type: 'write'; rows: HistoryRow[]; buffers: ArrayBuffer[] }
  | { type: 'sync'; id: number }
  /** Deletes every exchange (`capture history clear`, the view's Clear), answered by `cleared` with the same id. */
  | { type: 'clear'; id: number }
  | { type: 'close' };

/** Messages from the write worker to the main thread. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'write-failed'; message: string; dropped: number }
  /** The first batch written after a run of failures: its rows, and the rows dropped while writes failed. */
  | { type: 'write-resumed'; written: number; dropped: number }
  | { type: 'open-failed'; message: string }
  /** history.db was removed while capturing (e.g. its data folder deleted); a new one is in its place. */
  | { type: 'reopened'; message: string }
  /** Every batch sent before the `sync` with this id has been written (or dropped and reported). */
  | { type: 'synced'; id: number }
  /** The `clear` with this id is done: `deleted` rows, or `error` saying why it failed. */
  | { type: 'cleared'; id: number; deleted: number; error?: string }
  | { type: 'closed'; written: number; dropped: number };

/** One read the read worker serves (see `read-worker.ts`). */
export type ReadOp = { op: 'list'; filter: HistoryFilter } | { op: 'get'; id: number } | { op: 'exchanges'; filter: HistoryFilter };

/** Messages from the main thread to the read worker: a read, with the id its answer carries. */
export type ToReader = ReadOp & { request: number };

/** Messages from the read worker to the main thread. */
export type FromReader =
  | { type: 'ready' }
  | { type: 'open-failed'; message: string }
  | { type: 'result'; request: number; value: unknown }
  | { type: 'failed'; request: number; message: string };
