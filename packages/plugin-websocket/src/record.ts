/**
 * The WebSocket record's limits and builders. The record types themselves (`exchange.websocket`)
 * have one definition in `@capture/core/record`; they are re-exported here so this package's API
 * stays as it was.
 */
import type { WebSocketMessageRecord } from '@capture/core/record';

export type { WebSocketRecord, WebSocketMessageRecord, WebSocketClosedBy } from '@capture/core/record';

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
