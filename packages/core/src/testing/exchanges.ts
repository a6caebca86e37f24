import type { CaptureProxy } from '../proxy.js';
import type { Exchange } from '../exchange.js';
import { Stage } from '../hooks.js';

/** Resolves with the next exchange the proxy completes, captured (`onExchange`) or skipped (`onSkipped`). */
export function nextExchange(proxy: CaptureProxy): Promise<Exchange> {
  return new Promise((resolve) => {
    const collector = collectExchanges(proxy);
    void collector.next().then((exchange) => {
      collector.stop();
      resolve(exchange);
    });
  });
}

/** Records every exchange a proxy completes, for assertions. */
export interface ExchangeCollector {
  /** Every exchange so far, in completion order. */
  readonly all: Exchange[];
  /** Resolves with the next exchange not yet returned by `next()`. */
  next(): Promise<Exchange>;
  /** Resolves once `count` exchanges were recorded. */
  waitFor(count: number): Promise<Exchange[]>;
  /** Stops recording. */
  stop(): void;
}

/** Starts recording exchanges (tapping both `onExchange` and `onSkipped` at the observer stage). */
export function collectExchanges(proxy: CaptureProxy): ExchangeCollector {
  const all: Exchange[] = [];
  let cursor = 0;
  let stopped = false;
  let waiters: Array<() => void> = [];
  const record = (exchange: Exchange) => {
    if (stopped) return;
    all.push(exchange);
    for (const wake of waiters.splice(0)) wake();
  };
  const name = 'test-collector';
  proxy.hooks.onExchange.tap({ name, stage: Stage.OBSERVE }, record);
  proxy.hooks.onSkipped.tap({ name, stage: Stage.OBSERVE }, record);
  const until = (predicate: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => (predicate() ? resolve() : waiters.push(check));
      check();
    });
  return {
    all,
    async next() {
      await until(() => all.length > cursor);
      return all[cursor++]!;
    },
    async waitFor(count) {
      await until(() => all.length >= count);
      return all.slice(0, count);
    },
    stop() {
      stopped = true;
      waiters = [];
    },
  };
}
