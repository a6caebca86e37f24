import { Worker } from 'node:worker_threads';
import type { StoredBody, StoredExchange } from '@capture/core';
import type { FromReader, ReadOp, ToReader } from './worker-protocol.js';

/** Where the read worker's code is (as for the write worker: the built copy when running from source). */
function workerUrl(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('../dist/read-worker.js', import.meta.url) : new URL('./read-worker.js', import.meta.url);
}

/** A read waiting for its answer; `fallback` answers it on the calling thread when the worker cannot. */
interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  fallback(): unknown;
}

/**
 * The main thread's handle on the read worker. A read the worker cannot serve (it failed to
 * start, stopped, or is closed while the read waits) is answered by its fallback instead, the
 * same read on the calling thread, so a caller always gets an answer.
 */
export class ReadWorkerClient {
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  #next = 0;
  #dead = false;

  constructor(file: string) {
    this.#worker = new Worker(workerUrl(), { workerData: { file }, name: 'capture-history-reader' });
    // A worker that is only waiting must not keep a finished process alive.
    this.#worker.unref();
    this.#worker.on('message', (message: FromReader) => {
      if (message.type === 'open-failed') return this.#die();
      if (message.type === 'ready') return;
      const pending = this.#pending.get(message.request);
      if (!pending) return;
      this.#pending.delete(message.request);
      if (message.type === 'result') pending.resolve(message.value);
      else pending.reject(new Error(message.message));
    });
    this.#worker.on('error', () => this.#die());
    this.#worker.on('exit', () => this.#die());
  }

  /** Runs a read on the worker; `fallback` runs the same read here when the worker cannot. */
  read<T>(read: ReadOp, fallback: () => T): Promise<T> {
    if (this.#dead) return new Promise<T>((resolve) => resolve(fallback()));
    const request = this.#next++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(request, { resolve: resolve as (value: unknown) => void, reject, fallback });
      this.#worker.ref();
      this.#worker.postMessage({ ...read, request } satisfies ToReader);
    }).finally(() => {
      if (!this.#pending.size) this.#worker.unref();
    });
  }

  /** Stops the worker; reads still waiting are answered by their fallbacks. */
  async close(): Promise<void> {
    if (this.#dead) return;
    this.#die();
    await this.#worker.terminate();
  }

  #die(): void {
    if (this.#dead && !this.#pending.size) return;
    this.#dead = true;
    const waiting = [...this.#pending.values()];
    this.#pending.clear();
    for (const pending of waiting) {
      try {
        pending.resolve(pending.fallback());
      } catch (error) {
        pending.reject(error instanceof Error ? error : new Error(String(error)));
      }
    }
    void this.#worker.terminate();
  }
}

/**
 * Bodies cross the thread as plain Uint8Arrays; readers of a stored exchange get Buffers, as
 * from the synchronous API (views over the same memory, no copy).
 */
export function withBufferBodies(exchange: StoredExchange): StoredExchange {
  const fix = (body: StoredBody | undefined) => {
    if (body && !Buffer.isBuffer(body.bytes)) body.bytes = Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength);
  };
  fix(exchange.request.body);
  fix(exchange.response?.body);
  return exchange;
}
