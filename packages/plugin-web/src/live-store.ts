import { canHandOff, type CapturedBody, type Exchange, type WebSocketRecord } from '@capture/core';
import { fromLiveExchange, summaryOf, type ViewExchange } from './view-model.js';
import type { ExchangeSummary } from './protocol.js';
import { TombstoneRing, type Tombstone } from './tombstone-ring.js';

export type { Tombstone } from './tombstone-ring.js';

/** Body bytes the captured exchanges held in memory may reference in all; older ones are let go first. */
const BODY_BUDGET = 64 * 1024 * 1024;

/**
 * The exchange with copies of the bodies storage may take once the taps have settled (see
 * core's `canHandOff`): the store keeps them after that, and history saving requests only takes
 * a large request body's memory. Others are kept as they are.
 */
function withOwnBodies(exchange: Exchange): Exchange {
  const request = exchange.request.body;
  const response = exchange.response?.body;
  const copyRequest = request !== undefined && canHandOff(request.bytes);
  const copyResponse = response !== undefined && canHandOff(response.bytes);
  if (!copyRequest && !copyResponse) return exchange;
  const copy = (body: CapturedBody): CapturedBody => ({ ...body, bytes: Buffer.from(body.bytes) });
  return {
    ...exchange,
    request: copyRequest ? { ...exchange.request, body: copy(request) } : exchange.request,
    ...(exchange.response ? { response: copyResponse ? { ...exchange.response, body: copy(response!) } : exchange.response } : {}),
  };
}

/** One exchange the view saw live. */
export class LiveEntry {
  readonly #exchange: Exchange;
  /** For a WebSocket connection still open: its live record (the view is then built afresh each time). */
  readonly #openRecord: WebSocketRecord | undefined;
  #view: ViewExchange | undefined;
  #summary: ExchangeSummary | undefined;
  /** Body bytes it holds on to. */
  readonly bytes: number;

  constructor(exchange: Exchange, openRecord?: WebSocketRecord) {
    this.#exchange = exchange;
    this.#openRecord = openRecord;
    this.bytes = (exchange.request.body?.bytes.length ?? 0) + (exchange.response?.body?.bytes.length ?? 0);
  }

  /** True for a WebSocket connection that is still open. */
  get open(): boolean {
    return this.#openRecord !== undefined;
  }

  /** The view id, `x<exchange id>`. */
  get id(): string {
    return `x${this.#exchange.id}`;
  }

  /** The proxy's id of the exchange. */
  get exchangeId(): number {
    return this.#exchange.id;
  }

  /** When it started, for merging with history. */
  get startedAt(): number {
    return this.#exchange.timings.startedAt;
  }

  /** What finds it in history once it has left memory (read without building the view). */
  get tombstone(): Tombstone {
    const { request, timings } = this.#exchange;
    return { startedAt: timings.startedAt, method: request.method, url: request.url };
  }

  /** The exchange in the view's shape (made on first use: most are never looked at). */
  get view(): ViewExchange {
    if (this.#openRecord) return { ...fromLiveExchange(this.#exchange), websocket: this.#openRecord, open: true };
    return (this.#view ??= fromLiveExchange(this.#exchange));
  }

  /** Its list row (made on first use). */
  get summary(): ExchangeSummary {
    if (this.#openRecord) return summaryOf(this.view);
    return (this.#summary ??= summaryOf(this.view));
  }
}


/**
 * A bounded first-in first-out list with lookup by key. An array with a moving head, not a Map
 * whose first entry is deleted each time: V8 walks a Map's deleted slots to find its first live
 * entry, which made eviction cost tens of microseconds per exchange.
 */
class Fifo<T> {
  #items: Array<[string, T] | undefined> = [];
  #head = 0;
  readonly #byKey = new Map<string, T>();

  get size(): number {
    return this.#byKey.size;
  }

  push(key: string, value: T): void {
    this.#items.push([key, value]);
    this.#byKey.set(key, value);
  }

  /** Removes and returns the oldest entry. */
  shift(): [string, T] | undefined {
    const oldest = this.#items[this.#head];
    if (!oldest) return undefined;
    this.#items[this.#head++] = undefined;
    this.#byKey.delete(oldest[0]);
    // Drop the consumed front now and then, so the array does not grow for ever.
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return oldest;
  }

  get(key: string): T | undefined {
    return this.#byKey.get(key);
  }

  *values(): IterableIterator<T> {
    for (let i = this.#head; i < this.#items.length; i++) yield this.#items[i]![1];
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
    this.#byKey.clear();
  }
}

/**
 * The exchanges the view saw live, newest last: those not captured (filtered; history never has
 * them) and the captured ones, which history also gets, kept so they show at once and for when
 * history is not running. Both are bounded in count, the captured ones also in body bytes; a
 * captured exchange that leaves memory leaves a tombstone to find it in history by.
 */
export class LiveStore {
  readonly #limit: number;
  readonly #captured = new Fifo<LiveEntry>();
  readonly #skipped = new Fifo<LiveEntry>();
  /** Ten times as many tombstones as entries: a few MB at most, and older rows are rarely opened. */
  readonly #tombstones: TombstoneRing;
  /** WebSocket connections open now (at most as many as the proxy relays), until they complete. */
  readonly #open = new Map<string, LiveEntry>();
  #bytes = 0;
  /**
   * True while history is running and saves responses (set once the proxy listens): it then has
   * every captured exchange in full, so the store keeps only tombstones for them (no Exchange, no
   * bodies) and the view reads them from history. Otherwise the store is the only copy and keeps
   * them whole (bounded).
   */
  historyHolds = false;

  constructor(limit: number) {
    this.#limit = limit;
    this.#tombstones = new TombstoneRing(limit * 10);
  }

  /** Records a WebSocket connection that is open: listed at once, replaced by its completed exchange (same id). */
  addOpen(exchange: Exchange, record: WebSocketRecord): LiveEntry {
    const entry = new LiveEntry(exchange, record);
    this.#open.set(entry.id, entry);
    return entry;
  }

  /**
   * Records a captured exchange; returns its entry when the store keeps one (without history),
   * undefined when only its tombstone is kept (history holds it).
   */
  addCaptured(exchange: Exchange): LiveEntry | undefined {
    if (this.historyHolds) {
      if (this.#open.size) this.#open.delete(`x${exchange.id}`);
      this.#tombstones.set(exchange.id, exchange.timings.startedAt, exchange.request.method, exchange.request.url);
      return undefined;
    }
    const entry = new LiveEntry(withOwnBodies(exchange));
    if (this.#open.size) this.#open.delete(entry.id);
    this.#captured.push(entry.id, entry);
    this.#bytes += entry.bytes;
    while (this.#captured.size > this.#limit || (this.#bytes > BODY_BUDGET && this.#captured.size > 1)) this.#evictCaptured();
    return entry;
  }

  /** Records an exchange that was not captured. */
  addSkipped(exchange: Exchange): LiveEntry {
    const entry = new LiveEntry(exchange);
    this.#skipped.push(entry.id, entry);
    if (this.#skipped.size > this.#limit) this.#skipped.shift();
    return entry;
  }

  /** An entry by view id. */
  get(id: string): LiveEntry | undefined {
    return this.#open.get(id) ?? this.#captured.get(id) ?? this.#skipped.get(id);
  }

  /** WebSocket connections open now, oldest first. */
  open(): IterableIterator<LiveEntry> {
    return this.#open.values();
  }

  /** How to find a captured exchange that left memory. */
  tombstone(id: string): Tombstone | undefined {
    return /^x\d{1,15}$/.test(id) ? this.#tombstones.get(Number(id.slice(1))) : undefined;
  }

  /** Captured entries, oldest first. */
  captured(): IterableIterator<LiveEntry> {
    return this.#captured.values();
  }

  /** Skipped entries, oldest first. */
  skipped(): IterableIterator<LiveEntry> {
    return this.#skipped.values();
  }

  /** Forgets everything (history was cleared). */
  clear(): void {
    this.#captured.clear();
    this.#skipped.clear();
    this.#tombstones.clear();
    this.#open.clear();
    this.#bytes = 0;
  }

  #evictCaptured(): void {
    const [, entry] = this.#captured.shift()!;
    this.#bytes -= entry.bytes;
    const { startedAt, method, url } = entry.tombstone;
    this.#tombstones.set(entry.exchangeId, startedAt, method, url);
  }
}
