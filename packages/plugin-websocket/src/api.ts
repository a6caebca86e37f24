import type { Exchange } from '@capture/core';
import type { WebSocketHooks } from './hooks.js';
import type { WebSocketOptions } from './options.js';
import type { WebSocketRecord } from './record.js';

/** A connection being relayed right now. */
export interface OpenConnection {
  /** The upgrade's exchange (completed, with `exchange.websocket`, when the connection closes). */
  readonly exchange: Exchange;
  /** Its live record: messages are appended as they are kept. */
  readonly record: WebSocketRecord;
}

/**
 * What the WebSocket plugin offers other plugins through `proxy.plugin('websocket')?.api`, for
 * those that must not import this package's code (the web view): its hooks, and the connections
 * open now.
 */
export interface WebSocketApi {
  /** The same object as `getWebSocketHooks(proxy)` for the proxy the plugin was applied to (undefined before). */
  readonly hooks: WebSocketHooks | undefined;
  /** The connections being relayed, oldest first. */
  open(): OpenConnection[];
}

declare module '@capture/core' {
  interface PluginRegistry {
    /** `proxy.plugin('websocket')?.api` is a {@link WebSocketApi}, wherever this package's types are loaded. */
    websocket: { api: WebSocketApi; options: WebSocketOptions };
  }
}
