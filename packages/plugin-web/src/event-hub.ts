import type { ServerResponse } from 'node:http';
import type { EventMap, MessageView } from './protocol.js';
import type { LiveEntry } from './live-store.js';
import type { ViewExchange } from './view-model.js';

/** How often queued rows go out: often enough to look live, rarely enough that 1,000/s is ~10 writes. */
const FLUSH_INTERVAL = 100;
/** A stream with more than this waiting in its socket is behind: it gets a `reset` instead of more rows. */
const MAX_BACKLOG = 1024 * 1024;
/** Rows one stream may have queued between flushes; past it the page is told to reload instead. */
const MAX_QUEUED = 5000;
/** Messages of one connection sent per flush; past it the page is told to fetch the detail again. */
const MAX_QUEUED_MESSAGES = 500;
/** A comment line this often keeps idle streams open through anything that times them out. */
const KEEPALIVE_INTERVAL = 15_000;

interface Stream {
  response: ServerResponse;
  matches: (exchange: ViewExchange) => boolean;
  queued: LiveEntry[];
  behind: boolean;
}

/**
 * The server-sent event streams of open pages. New exchanges are matched against each stream's
 * search and sent in batches every {@link FLUSH_INTERVAL} ms; a stream that cannot keep up is
 * told to reload (`reset`) rather than buffered without bound.
 */
export class EventHub {
  readonly #streams = new Set<Stream>();
  #flushTimer: NodeJS.Timeout | undefined;
  #keepAlive: NodeJS.Timeout | undefined;
  /** New WebSocket messages since the last flush, by connection. */
  readonly #messages = new Map<string, EventMap['messages']>();

  /** How many pages are listening. */
  get size(): number {
    return this.#streams.size;
  }

  /** Starts an event stream on a response. */
  open(response: ServerResponse, matches: (exchange: ViewExchange) => boolean, first: Partial<EventMap>): void {
    response.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' });
    response.write('retry: 1000\n\n');
    const stream: Stream = { response, matches, queued: [], behind: false };
    for (const [type, data] of Object.entries(first)) write(stream, type as keyof EventMap, data);
    this.#streams.add(stream);
    response.on('close', () => this.#streams.delete(stream));
    this.#keepAlive ??= setInterval(() => {
      for (const { response: open } of this.#streams) open.write(': keep-alive\n\n');
    }, KEEPALIVE_INTERVAL).unref();
  }

  /** Queues a new exchange for the streams whose search it matches. */
  publish(entry: LiveEntry): void {
    if (!this.#streams.size) return;
    for (const stream of this.#streams) {
      if (stream.behind || !stream.matches(entry.view)) continue;
      stream.queued.push(entry);
      if (stream.queued.length > MAX_QUEUED) {
        stream.behind = true;
        stream.queued = [];
      }
    }
    this.#flushTimer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL).unref();
  }

  /**
   * Queues a WebSocket message kept at `index` of connection `id`'s record, for every stream
   * (sent with the next batch). Bounded: past {@link MAX_QUEUED_MESSAGES} per connection and
   * flush, only the count goes out and the page reloads the detail.
   */
  publishMessage(id: string, index: number, message: MessageView | undefined): void {
    if (!this.#streams.size) return;
    let queued = this.#messages.get(id);
    if (!queued) {
      queued = { id, from: index, messages: [], total: index + 1 };
      this.#messages.set(id, queued);
    }
    queued.total = index + 1;
    if (!message || queued.reload) {
      // Beyond what the pane shows: only the count changes.
    } else if (queued.messages.length >= MAX_QUEUED_MESSAGES || queued.from + queued.messages.length !== index) {
      queued.reload = true;
      queued.messages = [];
    } else queued.messages.push(message);
    this.#flushTimer ??= setTimeout(() => this.flush(), FLUSH_INTERVAL).unref();
  }

  /** Sends an event to every stream now. */
  broadcast<K extends keyof EventMap>(type: K, data: EventMap[K]): void {
    for (const stream of this.#streams) write(stream, type, data);
  }

  /** Sends what is queued. */
  flush(): void {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    const messages = [...this.#messages.values()];
    this.#messages.clear();
    for (const stream of this.#streams) {
      if (stream.response.writableLength > MAX_BACKLOG) {
        stream.behind = true;
        stream.queued = [];
        continue;
      }
      if (stream.behind) {
        stream.behind = false;
        write(stream, 'reset', {});
        continue;
      }
      // Rows first: a connection's row reaches the page before its first messages.
      if (stream.queued.length) {
        const rows = stream.queued.map((entry) => entry.summary);
        stream.queued = [];
        write(stream, 'exchanges', rows);
      }
      for (const batch of messages) write(stream, 'messages', batch);
    }
    // A stream that fell behind hears `reset` on the next round, once its socket has drained.
    if ([...this.#streams].some((stream) => stream.behind)) this.#flushTimer = setTimeout(() => this.flush(), FLUSH_INTERVAL).unref();
  }

  /** Ends every stream (the view is closing). */
  close(): void {
    if (this.#flushTimer) clearTimeout(this.#flushTimer);
    if (this.#keepAlive) clearInterval(this.#keepAlive);
    this.#flushTimer = undefined;
    this.#keepAlive = undefined;
    this.#messages.clear();
    for (const stream of this.#streams) stream.response.end();
    this.#streams.clear();
  }
}

function write<K extends keyof EventMap>(stream: Stream, type: K, data: EventMap[K] | undefined): void {
  stream.response.write(`event: ${type}\ndata: ${JSON.stringify(data ?? {})}\n\n`);
}
