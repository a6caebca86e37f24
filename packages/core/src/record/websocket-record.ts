/**
 * The WebSocket part of an exchange record (`exchange.websocket`), exactly as the user-visible
 * contract states it (`capture history show ID --json` prints it under `websocket`). Kept
 * JSON-plain so storage plugins can write it as is and the web view's page can read it.
 */

/** Who closed a WebSocket connection first. */
export type WebSocketClosedBy = 'client' | 'server' | 'proxy' | 'unknown';

/** One message (or the control frame: ping, pong, close) as it was forwarded. */
export interface WebSocketMessageRecord {
  /** True for client → server, false for server → client. */
  fromClient: boolean;
  /** The message's opcode: 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  opcode: number;
  /** When the message had arrived whole (ms since the epoch). */
  time: number;
  /** The message's full payload size in bytes (decompressed for `permessage-deflate`), however much is kept. */
  size: number;
  /** The payload as text, for text messages that are valid UTF-8. */
  text?: string;
  /** The payload as base64: binary messages, close (code and reason), ping and pong payloads, text that is not valid UTF-8. */
  base64?: string;
  /** True when the payload kept is shorter than `size`: capped at `maxBodySize`, or the connection ended mid-message. */
  truncated: boolean;
}

/** What an upgraded exchange records about its WebSocket connection. */
export interface WebSocketRecord {
  /** The messages kept, in the order they arrived (at most `maxWebSocketMessages`). */
  messages: WebSocketMessageRecord[];
  /** The code of the first close frame (1006 when a side vanished without one). */
  closeCode?: number;
  /** The reason of the first close frame. */
  closeReason?: string;
  /** Who closed first. */
  closedBy?: WebSocketClosedBy;
  /** Messages seen beyond `maxWebSocketMessages`: counted, not kept. */
  droppedMessages: number;
}
