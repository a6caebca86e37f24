/**
 * The series runner for the per-exchange hooks (`onRequest`, `onResponse`, `onExchange`): it
 * calls the taps in tapable's order (by stage, then registration) and only goes asynchronous when
 * a tap gives it something to wait for. tapable's own `promise()` allocates and awaits a promise
 * per tap and per call even when every tap is synchronous (`tap`), which the profile showed on
 * every exchange in all three hooks; here a call whose taps all return plain values returns a
 * plain value. The taps' functions are the ones core's interceptor wrapped (`hook-intercept.ts`),
 * so errors are worded, reported (observing hooks) or rethrown exactly as before.
 *
 * What waits: a `tapPromise` tap's promise, a `tapAsync` tap's callback, and a `tap` that returns
 * a thenable (the maybe-async form: a tap that has nothing to wait for on most exchanges returns
 * `undefined`, and a promise only when it has real work, e.g. plugin-grpc decoding a gRPC body).
 */

type TapFn = (...args: unknown[]) => unknown;

/** A tap as tapable keeps it (its `fn` typed `Function` there), once core's interceptor has wrapped its function. */
interface RunnableTap {
  readonly type: string;
  readonly fn: Function;
}

/** The part of a tapable hook the runner reads and replaces. */
interface SeriesHook {
  readonly taps: readonly RunnableTap[];
}

/**
 * Runs the taps of `hook` on `arg` in series. `bail`: the first result other than `undefined`
 * ends the call and is returned (AsyncSeriesBailHook); otherwise results are ignored. Returns
 * the result directly when no tap needed waiting, a promise otherwise; a synchronous tap's error
 * is thrown synchronously, a later one rejects the promise.
 */
export function runSeries<R>(hook: SeriesHook, arg: unknown, bail: boolean): R | undefined | Promise<R | undefined> {
  const taps = hook.taps;
  for (let index = 0; index < taps.length; index++) {
    const result = callTap(taps[index]!, arg);
    if (isThenable(result)) return continueSeries<R>(taps.slice(index + 1), result, arg, bail);
    if (bail && result !== undefined) return result as R;
  }
  return undefined;
}

/** The rest of a series once a tap went asynchronous (the remaining taps as they were then). */
async function continueSeries<R>(rest: readonly RunnableTap[], pending: PromiseLike<unknown>, arg: unknown, bail: boolean): Promise<R | undefined> {
  let result = await pending;
  if (bail && result !== undefined) return result as R;
  for (const tap of rest) {
    result = callTap(tap, arg);
    if (isThenable(result)) result = await result;
    if (bail && result !== undefined) return result as R;
  }
  return undefined;
}

function callTap(tap: RunnableTap, arg: unknown): unknown {
  const fn = tap.fn as TapFn;
  if (tap.type !== 'async') return fn(arg);
  return new Promise((resolve, reject) => {
    fn(arg, (error: unknown, result?: unknown) => (error != null ? reject(error) : resolve(result)));
  });
}

/** True for a promise or any object with a `then` method (what `await` would wait for). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as { then?: unknown }).then === 'function';
}

/**
 * Makes `hook.promise(arg)` run through {@link runSeries} (always a promise, as tapable's), so a
 * host or test calling it directly gets the same semantics as the proxy, maybe-async taps
 * included. tapable reassigns `promise` whenever a tap is added; the accessor ignores that.
 */
export function routePromiseThroughRunner(hook: SeriesHook, bail: boolean): void {
  const promise = (arg: unknown): Promise<unknown> => {
    try {
      return Promise.resolve(runSeries(hook, arg, bail));
    } catch (error) {
      return Promise.reject(error);
    }
  };
  Object.defineProperty(hook, 'promise', { configurable: true, get: () => promise, set: () => undefined });
}
