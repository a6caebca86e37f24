/**
 * The WebSocket part of an exchange record, exactly as the user-visible contract states it
 * (`capture history show ID --json` prints it under `websocket`). Kept JSON-plain so storage
 * plugins can write it as is.
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

/** The message limits of one connection. */
export interface WebSocketLimits {
  /** Bytes kept per message (the proxy's `maxBodySize`); longer messages are kept truncated. */
  maxBodySize: number;
  /** Messages kept per connection; later ones are counted in `droppedMessages`. */
  maxWebSocketMessages: number;
}

/** The default of `maxWebSocketMessages`. */
export const DEFAULT_MAX_WEBSOCKET_MESSAGES = 10_000;

/** WebSocket opcodes (RFC 6455 section 5.2). */
export const Opcode = {
  CONTINUATION: 0x0,
  TEXT: 0x1,
  BINARY: 0x2,
  CLOSE: 0x8,
  PING: 0x9,
  PONG: 0xa,
} as const;

/** Builds a message record from the bytes kept of a payload: text when it is a text (or close) payload in valid UTF-8, else base64. */
export function toMessageRecord(
  fromClient: boolean,
  opcode: number,
  time: number,
  size: number,
  kept: Buffer,
  truncated: boolean,
): WebSocketMessageRecord {
  const record: WebSocketMessageRecord = { fromClient, opcode, time, size, truncated };
  const text = opcode === Opcode.TEXT ? decodeUtf8Prefix(kept, truncated) : undefined;
  if (text !== undefined) record.text = text;
  else record.base64 = kept.toString('base64');
  return record;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Decodes UTF-8, or undefined when it is not valid. A truncated payload may end inside a
 * character; up to three trailing bytes of an incomplete sequence are dropped, not refused.
 */
function decodeUtf8Prefix(bytes: Buffer, truncated: boolean): string | undefined {
  try {
    return strictDecoder.decode(bytes);
  } catch {
    if (!truncated) return undefined;
    for (let cut = 1; cut <= 3 && cut <= bytes.length; cut++) {
      try {
        return strictDecoder.decode(bytes.subarray(0, bytes.length - cut));
      } catch {
        // try a shorter prefix
      }
    }
    return undefined;
  }
}
