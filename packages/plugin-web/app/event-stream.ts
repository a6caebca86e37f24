import { authHeaders } from './token.js';

/** One server-sent event: its type and data. */
export interface StreamEvent {
  data: string;
}

/** How long to wait before reconnecting after the stream broke (EventSource's default is about as long). */
const RETRY_MS = 2000;

/**
 * Server-sent events over `fetch`, so the stream carries the token as an `Authorization` header
 * (EventSource cannot send headers, which is why the view once needed a cookie). Same surface as
 * the part of EventSource the page uses: `addEventListener(type, …)` with `open`, `error` and the
 * named events, reconnecting after a break, and `close()`.
 */
export class BearerEventSource {
  readonly #url: string;
  readonly #listeners = new Map<string, Array<(event: StreamEvent) => void>>();
  readonly #abort = new AbortController();
  #closed = false;

  constructor(url: string) {
    this.#url = url;
    void this.#run();
  }

  addEventListener(type: string, listener: (event: StreamEvent) => void): void {
    this.#listeners.set(type, [...(this.#listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.#closed = true;
    this.#abort.abort();
  }

  #emit(type: string, data = ''): void {
    for (const listener of this.#listeners.get(type) ?? []) listener({ data });
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      try {
        const response = await fetch(this.#url, { headers: { Accept: 'text/event-stream', ...authHeaders() }, signal: this.#abort.signal });
        if (!response.ok || !response.body) throw new Error(`${response.status}`);
        this.#emit('open');
        await this.#read(response.body);
      } catch {
        // Closed on purpose, or broken: say so, then try again unless closed.
      }
      if (this.#closed) return;
      this.#emit('error');
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: ?(.*)$/m.exec(block)?.[1] ?? 'message';
        const data = [...block.matchAll(/^data: ?(.*)$/gm)].map((match) => match[1]).join('\n');
        if (data || /^data/m.test(block)) this.#emit(type, data);
      }
    }
  }
}
