import type { Duplex } from 'node:stream';
import type { AsyncSeriesBailHook } from 'tapable';
import type { Exchange } from '@capture/core';
import type { WebSocketRecord } from './record.js';

/**
 * What core hands a plugin once an upgrade got its 101: the plugin relays the connection from
 * then on. This is the shape the core hook is to have (see the README); it moves to
 * `@capture/core` when core gains the hook, and this package will then import it from there.
 */
export interface UpgradedConnection {
  /** The upgrade's exchange (request, 101 response), still open. */
  readonly exchange: Exchange;
  /** The client's socket; the 101 has been written to it. */
  readonly client: Duplex;
  /** The origin's socket; its 101 head has been read. */
  readonly upstream: Duplex;
  /** Bytes the client sent after its request, already read. */
  readonly clientHead: Buffer;
  /** Bytes the origin sent after its 101 head, already read. */
  readonly upstreamHead: Buffer;
  /** The origin's `Sec-WebSocket-Extensions` (what was negotiated), if any. */
  readonly extensions: string | undefined;
  /** Completes the exchange when the connection is over, with its WebSocket record. */
  complete(websocket: WebSocketRecord): void;
}

/** The core hook this plugin taps: the first tap that returns `true` owns the connection. */
export type OnUpgradedHook = AsyncSeriesBailHook<[UpgradedConnection], true | undefined>;

/** Finds the `onUpgraded` hook on a proxy's hooks, when the running core has it. */
export function findUpgradedHook(hooks: object): OnUpgradedHook | undefined {
  const hook = (hooks as { onUpgraded?: unknown }).onUpgraded;
  if (typeof hook !== 'object' || hook === null) return undefined;
  return typeof (hook as { tapPromise?: unknown }).tapPromise === 'function' ? (hook as OnUpgradedHook) : undefined;
}
