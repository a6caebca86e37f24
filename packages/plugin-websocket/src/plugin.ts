import { peerCoreRange, Stage, type CapturePlugin, type CaptureProxy, type PluginContext } from '@capture/core';
import type { OpenConnection, WebSocketApi } from './api.js';
import { getWebSocketHooks, type WebSocketHooks } from './hooks.js';
import type { MessageDecision } from './message.js';
import { PLUGIN_NAME, resolveWebSocketOptions, type ResolvedWebSocketOptions, type WebSocketOptions } from './options.js';
import { relayWebSocket } from './relay.js';
import type { UpgradedConnection } from './upgraded.js';

/** How long the peers may take to answer capture's close frames when capture stops (ms). */
const PROXY_CLOSE_GRACE = 1_000;

const FORWARD: MessageDecision = Object.freeze({ action: 'forward' });

/**
 * Creates the WebSocket plugin: it takes over each upgraded connection core offers on
 * `onUpgraded`, relays it with {@link relayWebSocket} and completes the exchange with its
 * messages.
 */
export function websocket(options: WebSocketOptions = {}): CapturePlugin<WebSocketApi, WebSocketOptions> {
  const resolved = resolveWebSocketOptions(options);
  const open = new Set<OpenConnection>();
  let hooks: WebSocketHooks | undefined;
  const api: WebSocketApi = {
    get hooks() {
      return hooks;
    },
    open: () => [...open],
  };
  return {
    name: PLUGIN_NAME,
    core: peerCoreRange(import.meta.url),
    flags: [],
    api,
    reconfigure: (overrides) => websocket({ ...options, ...overrides }),
    apply(proxy, context) {
      const applied = getWebSocketHooks(proxy);
      hooks = applied;
      proxy.hooks.onUpgraded.tapPromise({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, async (connection) => {
        relayConnection(proxy, applied, resolved, context, connection, open);
        return true;
      });
    },
  };
}

/** Relays one upgraded connection, running `onMessage` for each message and `onMessageRecord` on each record. */
function relayConnection(
  proxy: CaptureProxy,
  hooks: WebSocketHooks,
  options: ResolvedWebSocketOptions,
  context: PluginContext,
  connection: UpgradedConnection,
  open: Set<OpenConnection>,
): void {
  const { exchange } = connection;
  // Decided per connection: a tap below storage may change messages, so they wait for it.
  const hold = hooks.onMessage.taps.some((tap) => (tap.stage ?? 0) < Stage.STORAGE);
  const observed = hooks.onMessage.taps.length > 0;
  const relay = relayWebSocket({
    client: connection.client,
    upstream: connection.upstream,
    clientHead: connection.clientHead,
    upstreamHead: connection.upstreamHead,
    extensions: connection.extensions,
    limits: { maxBodySize: proxy.config.maxBodySize, maxWebSocketMessages: options.maxWebSocketMessages },
    hold,
    onMessage: observed ? (message) => hooks.onMessage.promise(FORWARD, exchange, message) : undefined,
    // Read per message, not per connection: a redaction tapped later still applies.
    transformRecord: (message) => (hooks.onMessageRecord.taps.length ? hooks.onMessageRecord.call(message, exchange) : message),
    onRecorded: (message, index) => {
      if (hooks.onRecorded.taps.length) hooks.onRecorded.call(exchange, message, index);
    },
    onError: (error) => context.report(error, 'onMessage'),
    onClose: () => {
      open.delete(entry);
      connection.complete(relay.record);
    },
  });
  // Closing capture: both sides get 1001 (going away); the exchange completes with what was relayed.
  connection.onProxyClose(() => relay.close(1001, 'capture is closing', PROXY_CLOSE_GRACE));
  const entry: OpenConnection = { exchange, record: relay.record };
  open.add(entry);
  try {
    hooks.onOpened.call(exchange, relay.record);
  } catch (error) {
    context.report(error, 'onOpened');
  }
}
