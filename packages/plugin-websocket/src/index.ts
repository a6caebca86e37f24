/**
 * `@capture/plugin-websocket`: relays upgraded WebSocket connections byte for byte and records
 * every message both ways (text, binary, fragmented, `permessage-deflate`), with an `onMessage`
 * hook to observe, drop or rewrite messages.
 *
 * @example
 * ```ts
 * import websocket, { getWebSocketHooks } from '@capture/plugin-websocket';
 * export default defineConfig({ plugins: [websocket({ maxWebSocketMessages: 1000 })] });
 * ```
 */
import { websocket } from './plugin.js';

export default websocket;
export { websocket } from './plugin.js';
export { PLUGIN_NAME, resolveWebSocketOptions, type WebSocketOptions, type ResolvedWebSocketOptions } from './options.js';
export { relayWebSocket, type RelayOptions, type RelayHandle, type WebSocketCompletion } from './relay.js';
export type { WebSocketApi, OpenConnection } from './api.js';
export { createWebSocketHooks, getWebSocketHooks, type WebSocketHooks } from './hooks.js';
export type { MessageDecision, RelayedMessage } from './message.js';
export type { UpgradedConnection, OnUpgradedHook } from './upgraded.js';
export {
  DEFAULT_MAX_WEBSOCKET_MESSAGES,
  Opcode,
  toMessageRecord,
  type WebSocketRecord,
  type WebSocketMessageRecord,
  type WebSocketClosedBy,
  type WebSocketLimits,
} from './record.js';
export { FrameParser, FrameError, encodeFrame, parseClosePayload, isValidCloseCode, closePayload } from './frames.js';
export type { FrameHeader, FrameEvents, FrameParserOptions, ParseFailure, ClosePayload } from './frames.js';
export { parseDeflateParams, type DeflateParams } from './extensions.js';
