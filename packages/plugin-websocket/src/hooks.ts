import { AsyncSeriesWaterfallHook, SyncHook, SyncWaterfallHook } from '@capture/core';
import type { Exchange } from '@capture/core';
import type { MessageDecision, RelayedMessage } from './message.js';
import type { WebSocketMessageRecord, WebSocketRecord } from './record.js';

/** The WebSocket plugin's hooks, for plugins that observe or change messages. */
export interface WebSocketHooks {
  /**
   * A message (or ping, pong, close) crossed a relayed connection. A waterfall over the decision:
   * it starts as `{ action: 'forward' }`, each tap gets the decision so far, the exchange and the
   * message, and may return a new decision (`drop`, or `rewrite` with new data) or nothing to
   * keep it. Taps below `Stage.STORAGE` (e.g. `Stage.TRANSFORM`) make the relay hold each message
   * until the hook has run, so their decision applies to `message.changeable` messages; taps at
   * `Stage.STORAGE` or `Stage.OBSERVE` only observe (the message has been forwarded).
   * Async, series, by stage.
   */
  readonly onMessage: AsyncSeriesWaterfallHook<[MessageDecision, Exchange, RelayedMessage]>;
  /**
   * The record of a message is about to be kept (appended to `exchange.websocket.messages`):
   * redaction taps it at `Stage.TRANSFORM` and returns the record with secrets masked (a new
   * object, or the same one changed). Only the captured copy changes; what was forwarded is what
   * the peer sent, as with bodies that an `onExchange` tap redacts. Every later consumer (the
   * live view, history, HAR) sees only what this hook returned. Sync waterfall, by stage; a tap
   * that throws is reported and the message is kept without its payload, never unredacted.
   */
  readonly onMessageRecord: SyncWaterfallHook<[WebSocketMessageRecord, Exchange]>;
  /**
   * A connection was upgraded and is being relayed; `record` is its live record (messages are
   * appended as they are kept). Observing, sync.
   */
  readonly onOpened: SyncHook<[Exchange, WebSocketRecord]>;
  /**
   * A message was kept in `record.messages` at `index` (after `onMessageRecord`): for live
   * observers such as the web view. Observing, sync.
   */
  readonly onRecorded: SyncHook<[Exchange, WebSocketMessageRecord, number]>;
}

/** Creates the WebSocket plugin's own hooks (one set per proxy: see {@link getWebSocketHooks}). */
export function createWebSocketHooks(): WebSocketHooks {
  return Object.freeze({
    onMessage: new AsyncSeriesWaterfallHook<[MessageDecision, Exchange, RelayedMessage]>(['decision', 'exchange', 'message']),
    onMessageRecord: new SyncWaterfallHook<[WebSocketMessageRecord, Exchange]>(['message', 'exchange']),
    onOpened: new SyncHook<[Exchange, WebSocketRecord]>(['exchange', 'record']),
    onRecorded: new SyncHook<[Exchange, WebSocketMessageRecord, number]>(['exchange', 'message', 'index']),
  });
}

const hooksByProxy = new WeakMap<object, WebSocketHooks>();

/**
 * The WebSocket hooks of a proxy, created on first use. Other plugins tap them whether or not the
 * WebSocket plugin is applied yet: `getWebSocketHooks(proxy).onMessage.tapPromise({ name, stage }, …)`.
 * Plugins that must not import this package's code reach the same object as
 * `proxy.plugin('websocket')?.api?.hooks`.
 */
export function getWebSocketHooks(proxy: object): WebSocketHooks {
  let hooks = hooksByProxy.get(proxy);
  if (!hooks) {
    hooks = createWebSocketHooks();
    hooksByProxy.set(proxy, hooks);
  }
  return hooks;
}
