import { setTimeout as delay } from 'node:timers/promises';
import { Stage, type CapturePlugin } from '@capture/core';

/** Options of {@link slowNetwork}. */
export interface SlowNetworkOptions {
  /** Milliseconds added before each request goes upstream. Default 300. */
  latency?: number;
  /** Random extra milliseconds, 0 to `jitter`, added to `latency`. Default 0. */
  jitter?: number;
}

/**
 * Simulates a slow network by holding each request in `onRequest` before it goes upstream.
 * The proxy keeps serving other connections meanwhile: the wait is a timer, not a busy loop.
 * A bandwidth cap is not possible from a plugin with today's hooks: bodies stream straight
 * between client and upstream and no hook sees the chunks (see this example's README).
 */
export default function slowNetwork(options: SlowNetworkOptions = {}): CapturePlugin {
  const latency = options.latency ?? 300;
  const jitter = options.jitter ?? 0;
  for (const [name, value] of Object.entries({ latency, jitter })) {
    if (!Number.isFinite(value) || value < 0 || value > 60_000) throw new Error(`slow-network: option "${name}" must be 0-60000 ms, got ${value}`);
  }
  return {
    name: 'slow-network',
    apply(proxy) {
      proxy.hooks.onRequest.tapPromise({ name: 'slow-network', stage: Stage.TRANSFORM }, async ({ exchange }) => {
        const wait = latency + Math.round(Math.random() * jitter);
        exchange.meta['slowNetwork.delayMs'] = wait; // storage and observers can see what was added
        await delay(wait);
        return undefined;
      });
    },
    reconfigure: (overrides) => slowNetwork({ ...options, ...overrides }),
  };
}
