import type { Exchange } from '@capture/core';
import { fromLiveExchange, summaryOf, type ViewExchange } from './view-model.js';
import type { ExchangeSummary } from './protocol.js';

/** Body bytes the captured exchanges held in memory may reference in all; older ones are let go first. */
const BODY_BUDGET = 64 * 1024 * 1024;

/** One exchange the view saw live. */
export class LiveEntry {
  readonly #exchange: Exchange;
  #view: ViewExchange | undefined;
  #summary: ExchangeSummary | undefined;
  /** Body bytes it holds on to. */
  readonly bytes: number;

  constructor(exchange: Exchange) {
    this.#exchange = exchange;
    this.bytes = (exchange.request.body?.bytes.length ?? 0) + (exchange.response?.body?.bytes.length ?? 0);
  }

  /** The view id, `x<exchange id>`. */
  get id(): string {
    return `x${this.#exchange.id}`;
  }

  /** When it started, for merging with history. */
  get startedAt(): number {
    return this.#exchange.timings.startedAt;
  }

  /** The exchange in the view's shape (made on first use: most are never looked at). */
  get view(): ViewExchange {
    return (this.#view ??= fromLiveExchange(this.#exchange));
  }

  /** Its list row (made on first use). */
  get summary(): ExchangeSummary {
    return (this.#summary ??= summaryOf(this.view));
  }
}

/** Where an exchange that left memory can be found again in history. */
export interface Tombstone {
  startedAt: number;
  method: string;
  url: string;
}

/**
 * The exchanges the view saw live, newest last: those not captured (filtered, paused; history
 * never has them) and the captured ones, which history also gets, kept so they show at once and
 * for when history is not running. Both are bounded in count, the captured ones also in body
 * bytes; a captured exchange that leaves memory leaves a tombstone to find it in history by.
 */
export class LiveStore {
  readonly #limit: number;
  readonly #captured = new Map<string, LiveEntry>();
  readonly #skipped = new Map<string, LiveEntry>();
  readonly #tombstones = new Map<string, Tombstone>();
  #bytes = 0;

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Records a captured exchange. */
  addCaptured(exchange: Exchange): LiveEntry {
    const entry = new LiveEntry(exchange);
    this.#captured.set(entry.id, entry);
    this.#bytes += entry.bytes;
    while (this.#captured.size > this.#limit || (this.#bytes > BODY_BUDGET && this.#captured.size > 1)) this.#evictCaptured();
    return entry;
  }

  /** Records an exchange that was not captured. */
  addSkipped(exchange: Exchange): LiveEntry {
    const entry = new LiveEntry(exchange);
    this.#skipped.set(entry.id, entry);
    if (this.#skipped.size > this.#limit) this.#skipped.delete(this.#skipped.keys().next().value!);
    return entry;
  }

  /** An entry by view id. */
  get(id: string): LiveEntry | undefined {
    return this.#captured.get(id) ?? this.#skipped.get(id);
  }

  /** How to find a captured exchange that left memory. */
  tombstone(id: string): Tombstone | undefined {
    return this.#tombstones.get(id);
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
    this.#bytes = 0;
  }

  #evictCaptured(): void {
    const [id, entry] = this.#captured.entries().next().value!;
    this.#captured.delete(id);
    this.#bytes -= entry.bytes;
    const { request, timings } = entry.view;
    this.#tombstones.set(id, { startedAt: timings.startedAt, method: request.method, url: request.url });
    // Ten times as many tombstones as entries: a few MB at most, and older rows are rarely opened.
    if (this.#tombstones.size > this.#limit * 10) this.#tombstones.delete(this.#tombstones.keys().next().value!);
  }
}
