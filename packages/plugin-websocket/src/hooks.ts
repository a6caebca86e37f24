import { AsyncSeriesWaterfallHook } from 'tapable';
import type { Exchange } from '@capture/core';
import type { MessageDecision, RelayedMessage } from './message.js';

/**
 * Creates the WebSocket plugin's own hooks. Exposed as a function so {@link WebSocketHooks} is
 * exactly its return type (fork-ts-checker-webpack-plugin's `createPluginHooks`).
 */
export function createWebSocketHooks() {
  return Object.freeze({
    /**
     * A message (or ping, pong, close) crossed a relayed connection. A waterfall over the decision:
     * it starts as `{ action: 'forward' }`, each tap gets the decision so far, the exchange and the
     * message, and may return a new decision (`drop`, or `rewrite` with new data) or nothing to
     * keep it. Taps below `Stage.STORAGE` (e.g. `Stage.TRANSFORM`) make the relay hold each message
     * until the hook has run, so their decision applies to `message.changeable` messages; taps at
     * `Stage.STORAGE` or `Stage.OBSERVE` only observe (the message has been forwarded).
     * Async, series, by stage.
     */
    onMessage: new AsyncSeriesWaterfallHook<[MessageDecision, Exchange, RelayedMessage]>(['decision', 'exchange', 'message']),
  });
}

/** The WebSocket plugin's hooks, for plugins that observe or change messages. */
export type WebSocketHooks = ReturnType<typeof createWebSocketHooks>;

const hooksByProxy = new WeakMap<object, WebSocketHooks>();

/**
 * The WebSocket hooks of a proxy, created on first use. Other plugins tap them whether or not the
 * WebSocket plugin is applied yet: `getWebSocketHooks(proxy).onMessage.tapPromise({ name, stage }, …)`.
 */
export function getWebSocketHooks(proxy: object): WebSocketHooks {
  let hooks = hooksByProxy.get(proxy);
  if (!hooks) {
    hooks = createWebSocketHooks();
    hooksByProxy.set(proxy, hooks);
  }
  return hooks;
}
