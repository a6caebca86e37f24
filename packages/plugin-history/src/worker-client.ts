import { Worker } from 'node:worker_threads';
import { canHandOff } from '@capture/core';
import type { HistoryRow } from './record.js';
import type { FromWorker, ToWorker, WriteWorkerData } from './worker-protocol.js';

/**
 * Where the worker's code is: beside this module once built (`dist/write-worker.js`); when this
 * module runs from source (the package's own tests), the built copy, since Node 20 cannot start
 * a worker from TypeScript. The package's tests run after its build.
 */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('../dist/write-worker.js', import.meta.url) : new URL('./write-worker.js', import.meta.url);
}

/** True when a row has a body the writer may take instead of a copy (see {@link WriteWorkerClient.write}). */
export function hasHandOffBody(row: HistoryRow): boolean {
  return (row.request_body !== null && canHandOff(row.request_body)) || (row.response_body !== null && canHandOff(row.response_body));
}

/** What the client reports to the plugin. */
export interface WorkerClientEvents {
  /** A batch could not be written (reported once per run of failures), or the worker failed. */
  onFailure(message: string, dropped: number): void;
  /** The first batch written after a run of failures: its rows, and the rows dropped while writes failed. */
  onResumed?(written: number, dropped: number): void;
  /** history.db was removed while capturing and the worker started a new one in its place. */
  onReopened?(message: string): void;
}

/** The main thread's handle on the write worker. */
export class WriteWorkerClient {
  readonly #worker: Worker;
  readonly #events: WorkerClientEvents;
  #closed: Promise<void> | undefined;
  #dead = false;
  #nextSync = 0;
  /** `sync()` calls waiting for the worker's answer, by id. */
  readonly #syncs = new Map<number, () => void>();
  /** `clear()` calls waiting for the worker's answer, by id. */
  readonly #clears = new Map<number, { resolve(deleted: number): void; reject(error: Error): void }>();
  /** Resolves once the worker has opened the database; rejects with why it could not. */
  readonly ready: Promise<void>;
  #running = false;

  /** True once the worker has opened the database and takes batches (see {@link ready}). */
  get running(): boolean {
    return this.#running && !this.#dead;
  }

  constructor(data: WriteWorkerData, events: WorkerClientEvents) {
    this.#events = events;
    this.#worker = new Worker(workerUrl(), { workerData: data, name: 'capture-history-writer' });
    let started = false;
    let settle!: (error?: Error) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      settle = (error) => {
        if (started) return;
        started = true;
        if (error) reject(error);
        else resolve();
      };
    });
    this.#worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') {
        this.#running = true;
        settle();
      }
      else if (message.type === 'synced') this.#settleSync(message.id);
      else if (message.type === 'cleared') this.#settleClear(message.id, message.error, message.deleted);
      else if (message.type === 'write-failed') events.onFailure(message.message, message.dropped);
      else if (message.type === 'write-resumed') events.onResumed?.(message.written, message.dropped);
      else if (message.type === 'reopened') events.onReopened?.(message.message);
      else if (message.type === 'open-failed') {
        settle(new Error(`the history writer cannot open ${data.file}: ${message.message}`));
        this.#die(`the history writer cannot open ${data.file}: ${message.message}`, started);
      }
    });
    this.#worker.on('error', (error) => {
      settle(new Error(`the history writer failed to start: ${error.message}`));
      this.#die(`the history writer stopped: ${error.message}`, started);
    });
    this.#worker.on('exit', () => {
      settle(new Error('the history writer exited before it started'));
      // Nothing more will be written: whoever waits for a sync or a clear must not wait for ever.
      for (const id of [...this.#syncs.keys()]) this.#settleSync(id);
      for (const id of [...this.#clears.keys()]) this.#settleClear(id, 'the history writer stopped', 0);
    });
  }

  /**
   * Sends a batch to be written in one transaction. A large body of a row in `handOver` (one no
   * tap reads any more) goes by transfer when it owns its memory (`canHandOff`): its capture is
   * freed by the writer once stored, and not copied. The other bodies are copied into one buffer
   * that is transferred, not cloned: a captured body is often a view into a much larger pooled
   * buffer, which cloning would copy whole, per body.
   */
  write(rows: HistoryRow[], handOver?: WeakSet<HistoryRow>): void {
    if (this.#dead || this.#closed) return;
    /** The bodies that go by transfer; usually none, so the common batch allocates nothing for them. */
    let taken: Set<Uint8Array> | undefined;
    const take = (body: Uint8Array | null) => {
      if (body && canHandOff(body)) (taken ??= new Set()).add(body);
    };
    let total = 0;
    for (const row of rows) {
      if (handOver?.has(row)) {
        take(row.request_body);
        take(row.response_body);
      }
      if (row.request_body && !taken?.has(row.request_body)) total += row.request_body.byteLength;
      if (row.response_body && !taken?.has(row.response_body)) total += row.response_body.byteLength;
    }
    const pack = new ArrayBuffer(total);
    let offset = 0;
    const move = (body: Uint8Array | null): Uint8Array | null => {
      if (!body || taken?.has(body)) return body;
      const view = new Uint8Array(pack, offset, body.byteLength);
      view.set(body);
      offset += body.byteLength;
      return view;
    };
    for (const row of rows) {
      row.request_body = move(row.request_body);
      row.response_body = move(row.response_body);
    }
    // One entry per buffer: two views of one buffer (a plugin that answered with the request's
    // bytes) would make the transfer list name it twice, which postMessage refuses.
    const transfer = [pack, ...new Set(Array.from(taken ?? [], (body) => body.buffer as ArrayBuffer))];
    try {
      this.#worker.postMessage({ type: 'write', rows, buffers: transfer } satisfies ToWorker, transfer);
    } catch (error) {
      // A batch that cannot be sent is reported as a failed write, never thrown into the proxy's timers.
      this.#events.onFailure(`a batch could not be sent to the history writer: ${error instanceof Error ? error.message : String(error)}`, rows.length);
    }
  }

  /**
   * Resolves once every batch sent so far is written (committed, or dropped and reported): at
   * once when the worker is gone, with {@link close} when it is closing.
   */
  sync(): Promise<void> {
    if (this.#closed) return this.#closed;
    if (this.#dead) return Promise.resolve();
    const id = this.#nextSync++;
    const done = new Promise<void>((resolve) => this.#syncs.set(id, resolve));
    this.#worker.postMessage({ type: 'sync', id } satisfies ToWorker);
    return done;
  }

  /**
   * Deletes every exchange on the worker's thread (after the batches sent so far are written),
   * so a big history's deletion never runs on the proxy's. Resolves with how many rows were
   * deleted; rejects when the worker is gone or the deletion failed.
   */
  clear(): Promise<number> {
    if (this.#dead || this.#closed) return Promise.reject(new Error('the history writer is not running'));
    const id = this.#nextSync++;
    const done = new Promise<number>((resolve, reject) => this.#clears.set(id, { resolve, reject }));
    this.#worker.postMessage({ type: 'clear', id } satisfies ToWorker);
    return done;
  }

  #settleClear(id: number, error: string | undefined, deleted: number): void {
    const pending = this.#clears.get(id);
    this.#clears.delete(id);
    if (error) pending?.reject(new Error(error));
    else pending?.resolve(deleted);
  }

  #settleSync(id: number): void {
    this.#syncs.get(id)?.();
    this.#syncs.delete(id);
  }

  /** Lets the worker write what it was sent, prune, and close the database; resolves when it has. */
  close(): Promise<void> {
    this.#closed ??= new Promise<void>((resolve) => {
      if (this.#dead) return resolve();
      this.#worker.once('exit', () => resolve());
      this.#worker.postMessage({ type: 'close' } satisfies ToWorker);
    });
    return this.#closed;
  }

  /** Stops using the worker; reports why when it had been running (a failed start is reported by whoever awaited `ready`). */
  #die(message: string, report: boolean): void {
    if (this.#dead) return;
    this.#dead = true;
    for (const id of [...this.#syncs.keys()]) this.#settleSync(id);
    for (const id of [...this.#clears.keys()]) this.#settleClear(id, message, 0);
    if (report) this.#events.onFailure(message, 0);
    void this.#worker.terminate();
  }
}
