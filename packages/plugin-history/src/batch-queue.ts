/**
 * Collects items on the request path and hands them over in batches: after at most `interval`
 * ms, or on the next turn of the event loop once `size` are waiting. `push` does nothing else, so
 * the exchange that pushes never waits for storage.
 */
export class BatchQueue<T> {
  readonly #send: (batch: T[]) => void;
  readonly #interval: number;
  readonly #size: number;
  #queue: T[] = [];
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #closed = false;

  constructor(send: (batch: T[]) => void, options: { interval: number; size: number }) {
    this.#send = send;
    this.#interval = options.interval;
    this.#size = options.size;
  }

  /** Queues an item; ignored once closed. */
  push(item: T): void {
    if (this.#closed) return;
    this.#queue.push(item);
    if (this.#queue.length >= this.#size) this.#immediate ??= setImmediate(() => this.flush());
    else this.#timer ??= setTimeout(() => this.flush(), this.#interval);
  }

  /** Hands over everything queued now. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
    if (!this.#queue.length) return;
    const batch = this.#queue;
    this.#queue = [];
    this.#send(batch);
  }

  /** Drops everything queued without handing it over (history cleared while items waited). */
  discard(): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (this.#immediate) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
    this.#queue = [];
  }

  /** Flushes and stops accepting items. */
  close(): void {
    this.flush();
    this.#closed = true;
  }
}
