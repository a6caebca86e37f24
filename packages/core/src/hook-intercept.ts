import { PluginError } from './errors.js';
import { isThenable } from './tap-runner.js';

/**
 * Where a `ConnectContext` keeps the name of the tap running on it: the hook runs its taps
 * one after another per CONNECT, so `refuse()` can say which plugin refused.
 */
export const kActiveTap: unique symbol = Symbol('capture.activeTap');

type AnyTapFn = (...args: unknown[]) => unknown;
interface InterceptableHook {
  intercept(interceptor: { register(tap: { name: string; type: string; fn: AnyTapFn }): unknown }): void;
}

/**
 * Wraps every tap of a hook, once, when it registers (Rollup's one choke point for plugin calls):
 * whatever the tap throws becomes a PluginError naming the tap (plugin) and the hook. For
 * observing hooks (`report` given) the error is reported and the tap counts as done; for the
 * others it is rethrown to whoever called the hook.
 */
export function interceptTaps(hookName: string, hook: unknown, report: ((error: PluginError) => void) | undefined): void {
  const tracksTap = hookName === 'onConnect';
  (hook as InterceptableHook).intercept({
    register(tap) {
      const inner = tap.fn;
      const original: AnyTapFn = tracksTap
        ? (...args) => {
            (args[0] as { [kActiveTap]?: string })[kActiveTap] = tap.name;
            return inner(...args);
          }
        : inner;
      // Returns what the call yields instead (nothing) when the failure was reported.
      const fail = (cause: unknown): undefined => {
        const error = PluginError.from(tap.name, hookName, cause);
        if (!report) throw error;
        report(error);
        return undefined;
      };
      if (tap.type === 'promise') {
        tap.fn = (...args: unknown[]) => {
          try {
            return Promise.resolve(original(...args)).catch(fail);
          } catch (cause) {
            return Promise.resolve().then(() => fail(cause));
          }
        };
      } else if (tap.type === 'sync') {
        tap.fn = (...args: unknown[]) => {
          try {
            const result = original(...args);
            // A maybe-async tap (see tap-runner.ts) that returned a promise: its rejection is the tap's failure too.
            return isThenable(result) ? Promise.resolve(result).catch(fail) : result;
          } catch (cause) {
            return fail(cause);
          }
        };
      } else {
        tap.fn = (...args: unknown[]) => {
          const callback = args.pop() as (error?: unknown, result?: unknown) => void;
          const settle = (error: unknown, result?: unknown): void => {
            if (error == null) return callback(error, result);
            let failure: unknown;
            try {
              fail(error);
            } catch (wrapped) {
              failure = wrapped;
            }
            callback(failure);
          };
          try {
            original(...args, settle);
          } catch (cause) {
            settle(cause);
          }
        };
      }
      return tap;
    },
  });
}
