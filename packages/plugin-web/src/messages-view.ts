import type { WebSocketMessageRecord, WebSocketRecord } from '@capture/core';
import { prettyJson } from './body-view.js';
import type { MessageView, MessagesView } from './protocol.js';

/** Messages sent to the page for one connection; the rest are in the HAR export and `capture history show`. */
export const MAX_MESSAGES = 2000;
/** Longest payload text sent per message. */
const MAX_PAYLOAD = 16 * 1024;
/** Bytes of a binary payload shown in hex. */
const HEX_BYTES = 256;

/**
 * A WebSocket connection's messages prepared for the Messages pane: text (JSON pretty-printed),
 * binary and control payloads as hex, capped per message and in number.
 */
export function toMessagesView(record: WebSocketRecord, open = false): MessagesView {
  const messages = record.messages.slice(0, MAX_MESSAGES).map(toMessageView);
  return {
    ...(open ? { open: true } : {}),
    messages,
    omitted: record.messages.length - messages.length + record.droppedMessages,
    ...(record.closeCode !== undefined ? { closeCode: record.closeCode } : {}),
    ...(record.closeReason ? { closeReason: record.closeReason } : {}),
    ...(record.closedBy ? { closedBy: record.closedBy } : {}),
  };
}

/** One message for the pane: text (JSON pretty-printed), or binary and control payloads as hex, capped. */
export function toMessageView(message: WebSocketMessageRecord): MessageView {
  const base = { fromClient: message.fromClient, opcode: message.opcode, time: message.time, size: message.size, truncated: message.truncated };
  if (message.text !== undefined) {
    const text = message.text.length > MAX_PAYLOAD ? message.text.slice(0, MAX_PAYLOAD) : message.text;
    const json = /^\s*[[{]/.test(text) ? prettyJson(text) : undefined;
    return { ...base, ...(json !== undefined ? { json } : { text }) };
  }
  const bytes = Buffer.from(message.base64 ?? '', 'base64');
  return { ...base, hex: bytes.subarray(0, HEX_BYTES).toString('hex').replace(/(..)(?!$)/g, '$1 ') };
}
