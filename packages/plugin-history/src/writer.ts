import type { HistoryRow } from './record.js';
import { SearchIndexer, type IndexerTiming } from './search-indexer.js';
import { HistoryStore } from './store.js';

/** What the writer needs from its owner. */
export interface WriterOptions {
  /** Retention, applied in the background after writes. */
  maxEntries: number;
  /** Retention by age, in ms. */
  maxAge: number | undefined;
  /** Retention by size: the bytes the database may hold. */
  maxBytes?: number;
  /** Reports a write failure. Called once per run of failures, not once per batch. */
  onWriteError(error: unknown, dropped: number): void;
  /**
   * Reports the first write that succeeds after a run of failures (space came back on a full
   * disk): `written` rows in that batch, `dropped` rows lost while writes failed.
   */
  onWriteResumed?(written: number, dropped: number): void;
  /** When the search index is built (tests shorten it); the measured defaults otherwise. */
  indexer?: IndexerTiming;
}

/** The most rows past `maxEntries` held before pruning starts (see `HistoryWriter.#pruneDue`). */
const MAX_PRUNE_SLACK = 1_000;

/**
 * Writes batches of rows, one transaction each, and prunes after writes. A failed write drops
 * its batch and reports once; the next batch tries again, so history failing never stops
 * capture. Runs in the write worker (`write-worker.ts`).
 */
export class HistoryWriter {
  #store: HistoryStore;
  readonly #options: WriterOptions;
  #failing = false;
  #dropped = 0;
  /** Rows dropped since the current run of failures began. */
  #droppedInRun = 0;
  #written = 0;
  #pruning: NodeJS.Immediate | undefined;
  #closed = false;
  #ageTimer: NodeJS.Timeout | undefined;
  readonly #indexer: SearchIndexer;

  /** Starts the writer; with `maxAge`, old exchanges are also pruned once a minute when nothing is written. */
  constructor(store: HistoryStore, options: WriterOptions) {
    this.#store = store;
    this.#options = options;
    this.#indexer = new SearchIndexer(store, options.indexer);
    if (options.maxAge !== undefined) {
      this.#ageTimer = setInterval(() => this.pruneSoon(), Math.min(options.maxAge, 60_000));
      // A timer for housekeeping must not keep the thread alive on its own.
      this.#ageTimer.unref();
    }
  }

  /** Rows written so far. */
  get written(): number {
    return this.#written;
  }

  /** Rows lost to write failures so far. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Writes to `store` from now on: the database file was removed while capturing (its folder
   * deleted) and a new one was opened in its place.
   */
  replaceStore(store: HistoryStore): void {
    // A run of failures goes on across the swap: its end (the first write that works) is reported
    // as a resumption, which the owner waits for before it reports a failure again.
    this.#store = store;
    this.#indexer.replaceStore(store);
  }

  /** Writes a batch in one transaction. */
  write(batch: readonly HistoryRow[]): void {
    if (this.#closed || !batch.length) return;
    try {
      this.#store.insertMany(batch);
    } catch (error) {
      this.#dropped += batch.length;
      if (!this.#failing) {
        this.#failing = true;
        this.#droppedInRun = 0;
        this.#options.onWriteError(error, batch.length);
      }
      this.#droppedInRun += batch.length;
      return;
    }
    this.#written += batch.length;
    if (this.#failing) {
      this.#failing = false;
      this.#options.onWriteResumed?.(batch.length, this.#droppedInRun);
    }
    if (this.#pruneDue()) this.pruneSoon();
    this.#indexer.wrote();
  }

  /**
   * True when the rows just written call for pruning. By count, only once `maxEntries` is
   * passed by a slack (5%, at most 1,000 rows), then down to `maxEntries` exactly: deleting a few
   * rows after every batch rewrote the same pages batch after batch, and cost a keep-alive burst
   * a quarter of the writer thread. By age, after every write as before.
   */
  #pruneDue(): boolean {
    const { maxEntries, maxAge, maxBytes } = this.#options;
    if (maxAge !== undefined) return true;
    try {
      return this.#store.pruneDue(maxEntries + Math.min(MAX_PRUNE_SLACK, Math.floor(maxEntries / 20)), maxBytes);
    } catch {
      // A failing database is reported by writes.
      return false;
    }
  }

  /**
   * Prunes in the background: one chunk per event-loop turn, so a large prune (a lowered
   * `maxEntries`) never holds the write lock for long.
   */
  pruneSoon(): void {
    if (this.#pruning || this.#closed) return;
    const step = () => {
      this.#pruning = undefined;
      if (this.#closed) return;
      let deleted = 0;
      try {
        deleted = this.#store.pruneChunk(this.#options.maxEntries, this.#options.maxAge, Date.now(), this.#options.maxBytes);
      } catch {
        // Pruning is retried after the next write; a failing database is reported by writes.
        return;
      }
      if (deleted >= HistoryStore.PRUNE_CHUNK) this.#pruning = setImmediate(step);
    };
    this.#pruning = setImmediate(step);
  }

  /** Finishes pruning and stops accepting rows; indexing stops at once (the next run indexes the tail). */
  close(): void {
    this.#closed = true;
    this.#indexer.close();
    if (this.#ageTimer) clearInterval(this.#ageTimer);
    if (this.#pruning) clearImmediate(this.#pruning);
    this.#pruning = undefined;
    try {
      while (this.#store.pruneChunk(this.#options.maxEntries, this.#options.maxAge, Date.now(), this.#options.maxBytes) >= HistoryStore.PRUNE_CHUNK);
    } catch {
      // Nothing more to do on the way out.
    }
  }
}
