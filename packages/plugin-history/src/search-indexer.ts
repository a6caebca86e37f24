/**
 * Builds the search index in the background, on the writer thread, so a burst of exchanges pays
 * for storing its rows only (indexing a 1 KiB exchange costs about three times what storing it
 * does). Rows past the index's watermark are read by every search (see `query.ts`), so what a
 * search finds never depends on how far the indexer is.
 */
import type { HistoryStore } from './store.js';

/** When the indexer runs and how much at a time. */
export interface IndexerTiming {
  /** Idle this long (no batch written) and the tail is indexed. */
  idleMs: number;
  /** Past this many unindexed rows the indexer also runs while batches arrive, down to half of it. */
  maxTail: number;
  /** Rows per chunk (one write transaction). */
  chunkRows: number;
  /** A chunk stops once it has run this long, so a batch waits for at most about this. */
  chunkMs: number;
}

/** The measured defaults (see the History section of the README for the figures behind them). */
export const INDEXER_TIMING: IndexerTiming = { idleMs: 250, maxTail: 20_000, chunkRows: 2_000, chunkMs: 25 };

/** Indexes a store's unindexed rows in chunks, one per event-loop turn, when idle or behind. */
export class SearchIndexer {
  #store: HistoryStore;
  readonly #timing: IndexerTiming;
  #idleTimer: NodeJS.Timeout | undefined;
  #step: NodeJS.Immediate | undefined;
  /** True from an idle timeout until the next write: index the whole tail. */
  #idle = false;
  #closed = false;

  constructor(store: HistoryStore, timing: IndexerTiming = INDEXER_TIMING) {
    this.#store = store;
    this.#timing = timing;
    // The tail a previous run left (closed mid-burst) is indexed once this one is idle.
    this.#restartIdleTimer();
  }

  /** Indexes `store` from now on (the file was replaced while capturing). */
  replaceStore(store: HistoryStore): void {
    this.#store = store;
  }

  /** A batch was written: an idle run stops (unless the tail is past its bound) and the idle clock restarts. */
  wrote(): void {
    if (this.#closed) return;
    this.#idle = false;
    this.#restartIdleTimer();
    if (!this.#step && this.#tail() > this.#timing.maxTail) this.#schedule();
  }

  /** Stops indexing at once; what is left is indexed by the next run (searches read it meanwhile). */
  close(): void {
    this.#closed = true;
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    if (this.#step) clearImmediate(this.#step);
    this.#idleTimer = undefined;
    this.#step = undefined;
  }

  #tail(): number {
    try {
      return this.#store.unindexedRows();
    } catch {
      return 0;
    }
  }

  #restartIdleTimer(): void {
    if (this.#idleTimer) this.#idleTimer.refresh();
    else {
      this.#idleTimer = setTimeout(() => {
        this.#idle = true;
        if (!this.#step) this.#schedule();
      }, this.#timing.idleMs);
      // Housekeeping must not keep the thread alive on its own.
      this.#idleTimer.unref();
    }
  }

  #schedule(): void {
    this.#step = setImmediate(() => {
      this.#step = undefined;
      if (this.#closed) return;
      let more: boolean;
      try {
        more = this.#store.indexChunk(this.#timing.chunkRows, this.#timing.chunkMs).more;
      } catch {
        // A failing database (full disk) is reported by writes; the next idle spell retries.
        return;
      }
      if (more && (this.#idle || this.#tail() > this.#timing.maxTail / 2)) this.#schedule();
    });
  }
}
