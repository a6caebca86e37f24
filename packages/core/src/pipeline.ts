import { finishCapturedBody, type BodyCollector } from './body-capture.js';
import type { ResolvedConfig } from './config.js';
import { CaptureError } from './errors.js';
import { getHeader, type CapturedBody, type ClientInfo, type Exchange, type ExchangeRequest } from './exchange.js';
import { hasTaps, type ProxyHooks } from './hooks.js';
import { isThenable, runSeries } from './tap-runner.js';

/**
 * The capture pipeline: where every exchange starts (`open`) and ends (`complete`), whatever
 * produced it (a forwarded request, a WebSocket handshake, a malformed head, a refused CONNECT).
 * Completing decodes the captured bodies and hands the exchange to `onExchange`, or to
 * `onSkipped` when a plugin marked it `skip`; the client never waits for either. It also counts
 * what is in flight so closing can wait, and is the one place errors without a client response
 * are reported.
 */
export class CapturePipeline {
  /** The config, for the exchange handlers (`maxBodySize`, timeouts). */
  readonly config: ResolvedConfig;
  /** The proxy's hooks, for the exchange handlers (`onRequest`, `onResponse`). */
  readonly hooks: ProxyHooks;
  #nextId = 1;
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];
  #pendingEmits = 0;
  #emitWaiters: Array<() => void> = [];
  /** How to close each upgraded connection still open, for `proxy.close()`. */
  readonly #openUpgrades = new Set<() => void>();
  /** What to call once each exchange's `onExchange` taps have settled ({@link CapturePipeline.afterSettled}). */
  readonly #afterSettled = new WeakMap<Exchange, Array<() => void>>();

  constructor(config: ResolvedConfig, hooks: ProxyHooks) {
    this.config = config;
    this.hooks = hooks;
  }

  /** True when someone stores exchanges: only then are bodies collected. */
  get capturing(): boolean {
    return hasTaps(this.hooks.onExchange);
  }

  /**
   * Starts an exchange: the one place the record is built (always with the same shape, which
   * keeps V8's property access on the hot path monomorphic). Counted in flight until
   * {@link CapturePipeline.complete}.
   */
  open(request: ExchangeRequest, client: ClientInfo, tls: boolean, source: string): Exchange {
    this.#inFlight++;
    return {
      id: this.#nextId++,
      client,
      source,
      tls,
      request,
      timings: { startedAt: Date.now(), total: 0 },
      sizes: { requestBody: 0, responseBody: 0 },
      mocked: false,
      meta: {},
    };
  }

  /**
   * Ends an exchange opened with {@link CapturePipeline.open}: decodes the captured bodies and
   * emits it to `onExchange`, or to `onSkipped` when `exchange.skip` is set. Returns at once.
   */
  complete(exchange: Exchange, requestBody: BodyCollector | undefined, responseBody: BodyCollector | undefined): void {
    if (--this.#inFlight === 0 && this.#idleWaiters.length) {
      for (const wake of this.#idleWaiters.splice(0)) wake();
    }
    if (exchange.skip) {
      try {
        this.hooks.onSkipped.call(exchange);
      } catch (error) {
        // Taps report their own failures (observing hook); this only guards the socket handler
        // that completed the exchange.
        this.report(error);
      }
      return;
    }
    if (!hasTaps(this.hooks.onExchange)) return;
    this.#pendingEmits++;
    const limit = this.config.maxBodySize;
    const response = exchange.response;
    let requestCaptured: CapturedBody | Promise<CapturedBody> | undefined;
    let responseCaptured: CapturedBody | Promise<CapturedBody> | undefined;
    try {
      if (limit > 0 && requestBody && requestBody.size > 0) {
        requestCaptured = finishCapturedBody(requestBody, getHeader(exchange.request.headers, 'content-encoding'), limit);
      }
      if (limit > 0 && response && responseBody && responseBody.size > 0 && !response.bodySkipped) {
        responseCaptured = finishCapturedBody(responseBody, getHeader(response.headers, 'content-encoding'), limit);
      }
    } catch (error) {
      return this.#failEmit(error);
    }
    if (requestCaptured instanceof Promise || responseCaptured instanceof Promise) {
      // Compressed bodies decode on the thread pool first; plain ones skip the extra await.
      void Promise.all([requestCaptured, responseCaptured]).then(([a, b]) => this.#emit(exchange, a, b), this.#failEmit);
    } else this.#emit(exchange, requestCaptured, responseCaptured);
  }

  /**
   * Announces an upgraded connection that is now open (`onExchangeOpened`), before its relay
   * starts; it completes later through {@link CapturePipeline.complete}. Never throws.
   */
  opened(exchange: Exchange): void {
    if (!hasTaps(this.hooks.onExchangeOpened)) return;
    try {
      this.hooks.onExchangeOpened.call(exchange);
    } catch (error) {
      // Taps report their own failures (observing hook); this only guards the relay.
      this.report(error);
    }
  }

  /** Keeps `close` until the returned function is called: {@link CapturePipeline.closeUpgraded} calls it. */
  trackUpgraded(close: () => void): () => void {
    this.#openUpgrades.add(close);
    return () => void this.#openUpgrades.delete(close);
  }

  /** The proxy is closing: closes every upgraded connection still open (each completes its exchange). */
  closeUpgraded(): void {
    for (const close of [...this.#openUpgrades]) {
      try {
        close();
      } catch (error) {
        this.report(error);
      }
    }
  }

  /** Reports an error that has no client response to go to, through `onError`. Never throws. */
  readonly report = (error: unknown): void => {
    const wrapped = error instanceof CaptureError ? error : new CaptureError('INTERNAL', error instanceof Error ? error.message : String(error), { cause: error });
    try {
      this.hooks.onError.call(wrapped);
    } catch {
      // An error reporter that throws has nowhere left to report to.
    }
  };

  /** Resolves once no exchange is in flight, or after `timeout` ms. */
  whenIdle(timeout: number): Promise<void> {
    if (this.#inFlight === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeout);
      this.#idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Resolves once every `onExchange` call started so far has settled. */
  whenSettled(): Promise<void> {
    if (this.#pendingEmits === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.#emitWaiters.push(resolve));
  }

  #emit(exchange: Exchange, requestCapture: CapturedBody | undefined, responseCapture: CapturedBody | undefined): void {
    if (requestCapture) exchange.request.body = requestCapture;
    if (responseCapture && exchange.response) exchange.response.body = responseCapture;
    // Taps report their own failures (observing hook): an error here is the core's.
    let ran: void | Promise<void>;
    try {
      ran = runSeries<void>(this.hooks.onExchange, exchange, false);
    } catch (error) {
      return this.#failEmit(error, exchange);
    }
    if (isThenable(ran)) {
      ran.then(
        () => this.#settled(exchange),
        (error: unknown) => this.#failEmit(error, exchange),
      );
    } else this.#settled(exchange);
  }

  /**
   * Calls `then` once every `onExchange` tap has settled for `exchange` (those after the caller
   * included), when it was called from one of them; never otherwise. Costs nothing for the
   * exchanges nobody asks about.
   */
  afterSettled(exchange: Exchange, then: () => void): void {
    const waiting = this.#afterSettled.get(exchange);
    if (waiting) waiting.push(then);
    else this.#afterSettled.set(exchange, [then]);
  }

  #settled(exchange?: Exchange): void {
    const waiting = exchange && this.#afterSettled.get(exchange);
    if (waiting) {
      this.#afterSettled.delete(exchange);
      for (const then of waiting) {
        try {
          then();
        } catch (error) {
          this.report(error);
        }
      }
    }
    if (--this.#pendingEmits === 0) for (const wake of this.#emitWaiters.splice(0)) wake();
  }

  readonly #failEmit = (error: unknown, exchange?: Exchange): void => {
    this.report(error);
    this.#settled(exchange);
  };
}
