import type { HistoryRow } from './record.js';
import { HistoryStore } from './store.js';

/** What the writer needs from its owner. */
export interface WriterOptions {
  /** Longest time a row waits before it is written, in ms (≤ 1000: durable within a second). */
  flushInterval: number;
  /** Write at once when this many rows wait. */
  batchSize: number;
  /** Retention, applied in the background after writes. */
  maxEntries: number;
  /** Retention by age, in ms. */
  maxAge: number | undefined;
  /** Reports a write failure. Called once per run of failures, not once per batch. */
  onWriteError(error: unknown, dropped: number): void;
  /** Reports that writing works again after a failure. */
  onRecovered?(dropped: number): void;
}

/**
 * Batches rows off the request path: `push` only queues; a timer (or a full batch, on the next
 * turn of the event loop) writes everything queued in one transaction. A failed write drops its
 * batch, reports once, and the next batch tries again, so capture never stops proxying because
 * history cannot be written.
 */
export class HistoryWriter {
  readonly #store: HistoryStore;
  readonly #options: WriterOptions;
  #queue: HistoryRow[] = [];
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #failing = false;
  #dropped = 0;
  #written = 0;
  #pruning: NodeJS.Immediate | undefined;
  #closed = false;
  #ageTimer: NodeJS.Timeout | undefined;

  /** Starts the writer; with `maxAge`, old exchanges are also pruned once a minute when nothing is written. */
  constructor(store: HistoryStore, options: WriterOptions) {
    this.#store = store;
    this.#options = options;
    if (options.maxAge !== undefined) {
      this.#ageTimer = setInterval(() => this.pruneSoon(), Math.min(options.maxAge, 60_000));
      // A timer for housekeeping must not keep the process alive on its own.
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

  /** Queues a row; it is written within `flushInterval` ms. */
  push(row: HistoryRow): void {
    if (this.#closed) return;
    this.#queue.push(row);
    if (this.#queue.length >= this.#options.batchSize) {
      this.#immediate ??= setImmediate(() => this.flush());
    } else {
      this.#timer ??= setTimeout(() => this.flush(), this.#options.flushInterval);
    }
  }

  /** Writes everything queued now, in one transaction. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
    const batch = this.#queue;
    if (!batch.length) return;
    this.#queue = [];
    try {
      this.#store.insertMany(batch);
    } catch (error) {
      this.#dropped += batch.length;
      if (!this.#failing) {
        this.#failing = true;
        this.#options.onWriteError(error, batch.length);
      }
      return;
    }
    this.#written += batch.length;
    if (this.#failing) {
      this.#failing = false;
      this.#options.onRecovered?.(this.#dropped);
    }
    this.pruneSoon();
  }

  /**
   * Prunes after each write (at most a few times a second: finding the cut-off is one index
   * walk), one chunk per event-loop turn so a large prune never stalls proxying.
   */
  pruneSoon(): void {
    if (this.#pruning || this.#closed) return;
    const step = () => {
      this.#pruning = undefined;
      if (this.#closed) return;
      let deleted = 0;
      try {
        deleted = this.#store.pruneChunk(this.#options.maxEntries, this.#options.maxAge);
      } catch {
        // Pruning is retried after the next write; a failing database is reported by writes.
        return;
      }
      if (deleted >= HistoryStore.PRUNE_CHUNK) this.#pruning = setImmediate(step);
    };
    this.#pruning = setImmediate(step);
  }

  /** Writes what is queued, finishes pruning, and stops accepting rows. */
  close(): void {
    this.flush();
    this.#closed = true;
    if (this.#ageTimer) clearInterval(this.#ageTimer);
    if (this.#pruning) clearImmediate(this.#pruning);
    this.#pruning = undefined;
    try {
      while (this.#store.pruneChunk(this.#options.maxEntries, this.#options.maxAge) >= HistoryStore.PRUNE_CHUNK);
    } catch {
      // Nothing more to do on the way out.
    }
  }
}
