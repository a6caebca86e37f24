import { peerCoreRange, Stage, type CapturePlugin, type CaptureProxy, type PluginContext } from '@capture/core';
import { getWebSocketHooks, type WebSocketHooks } from './hooks.js';
import type { MessageDecision } from './message.js';
import { PLUGIN_NAME, resolveWebSocketOptions, type ResolvedWebSocketOptions, type WebSocketOptions } from './options.js';
import { relayWebSocket } from './relay.js';
import type { UpgradedConnection } from './upgraded.js';

const FORWARD: MessageDecision = Object.freeze({ action: 'forward' });

/**
 * Creates the WebSocket plugin: it takes over each upgraded connection core offers on
 * `onUpgraded`, relays it with {@link relayWebSocket} and completes the exchange with its
 * messages.
 */
export function websocket(options: WebSocketOptions = {}): CapturePlugin<undefined, WebSocketOptions> {
  const resolved = resolveWebSocketOptions(options);
  return {
    name: PLUGIN_NAME,
    core: peerCoreRange(import.meta.url),
    flags: [],
    reconfigure: (overrides) => websocket({ ...options, ...overrides }),
    apply(proxy, context) {
      const hooks = getWebSocketHooks(proxy);
      proxy.hooks.onUpgraded.tapPromise({ name: PLUGIN_NAME, stage: Stage.DEFAULT }, async (connection) => {
        relayConnection(proxy, hooks, resolved, context, connection);
        return true;
      });
    },
  };
}

/** Relays one upgraded connection, running `onMessage` for each message. */
function relayConnection(
  proxy: CaptureProxy,
  hooks: WebSocketHooks,
  options: ResolvedWebSocketOptions,
  context: PluginContext,
  connection: UpgradedConnection,
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
    onError: (error) => context.report(error, 'onMessage'),
    onClose: () => connection.complete(relay.record),
  });
}
