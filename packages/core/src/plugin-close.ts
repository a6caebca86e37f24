/**
 * Closing after a failed start (Fastify's avvio does the same): the plugins applied so far are
 * closed one at a time, last applied first, since a later plugin may use what an earlier one
 * opened. A normal `close()` runs `onClose` as the parallel hook it is.
 */

/** An `onClose` tap as tapable keeps it (its `fn` already wrapped by the hooks' interceptor). */
export interface CloseTap {
  /** The tap's name (its plugin's, by convention). */
  readonly name: string;
  /** How the tap was registered. */
  readonly type: 'sync' | 'async' | 'promise';
  /** The tap function. */
  readonly fn: Function;
}

/** The taps a hook gained since `before` was taken (its taps then), in registration order. */
export function tapsAddedSince(hook: { taps: readonly CloseTap[] }, before: ReadonlySet<unknown>): CloseTap[] {
  return hook.taps.filter((tap) => !before.has(tap));
}

/**
 * Runs the `onClose` taps of each plugin, the last plugin first, then the taps no plugin
 * registered (the host's). Each failure was reported by the hooks' interceptor already
 * (`onClose` is an observing hook), so one plugin failing to close never stops the others.
 */
export async function closeInReverse(hook: { taps: readonly CloseTap[] }, byPlugin: ReadonlyArray<{ taps: readonly CloseTap[] }>): Promise<void> {
  const owned = new Set<CloseTap>();
  for (const { taps } of byPlugin) for (const tap of taps) owned.add(tap);
  const order = [...byPlugin].reverse().flatMap(({ taps }) => taps);
  for (const tap of hook.taps) if (!owned.has(tap)) order.push(tap);
  for (const tap of order) {
    try {
      await runTap(tap);
    } catch {
      // Reported by the interceptor; nothing else to do on the way out.
    }
  }
}

function runTap(tap: CloseTap): Promise<unknown> {
  if (tap.type === 'promise') return Promise.resolve(tap.fn());
  if (tap.type === 'sync') return Promise.resolve(tap.fn());
  return new Promise((resolve) => tap.fn(resolve));
}
