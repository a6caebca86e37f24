import http from 'node:http';
import type { ExchangeError, ExchangeRequest } from './exchange.js';
import type { CapturePipeline } from './pipeline.js';
import type { SocketInfo } from './socket-info.js';
import { targetUrl, withoutDefaultPort } from './target-url.js';

/**
 * Requests refused for their head (too large, too many headers, malformed): each is one
 * exchange, with as much of the request as was read, so the live log and history show that the
 * device got an error and for what.
 */

/** `METHOD target` at the start of a request head; the target may be cut where the packet ends. */
const REQUEST_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]{1,32}) ([^\s]+)/;

/** How far into a packet the request line is looked for: a longer line is not worth showing. */
const REQUEST_LINE_LIMIT = 16 * 1024;

/**
 * The method and URL of a head that did not parse, read from the bytes Node hands to
 * `clientError` (`rawPacket`: the chunk that failed, which holds the request line when the head
 * started in it). Empty strings when they cannot be read.
 */
export function readRequestLine(raw: Buffer | undefined, target: SocketInfo['target']): { method: string; url: string } {
  if (!raw || raw.length === 0) return { method: '', url: '' };
  const text = raw.toString('latin1', 0, Math.min(raw.length, REQUEST_LINE_LIMIT));
  const match = REQUEST_LINE.exec(text);
  if (!match) return { method: '', url: '' };
  return { method: match[1]!, url: absoluteUrl(match[2]!, target) };
}

/** The URL the exchange records: origin-form targets on decrypted connections get their scheme and authority. */
function absoluteUrl(rawUrl: string, target: SocketInfo['target']): string {
  return target && rawUrl.startsWith('/') ? targetUrl(target, rawUrl) : withoutDefaultPort(rawUrl);
}

/** Completes an exchange for a request the proxy refused before forwarding it (the caller answered the client). */
export function recordRefusal(
  pipeline: CapturePipeline,
  request: ExchangeRequest,
  info: SocketInfo,
  source: string,
  status: number,
  error: ExchangeError,
): void {
  const exchange = pipeline.open(request, info.client, info.target?.secure ?? false, source);
  exchange.response = { statusCode: status, statusMessage: http.STATUS_CODES[status] ?? '', httpVersion: '1.1', headers: [] };
  exchange.error = error;
  pipeline.complete(exchange, undefined, undefined);
}

/** The message for a request with more headers than `maxHeaderCount`. */
export function tooManyHeadersMessage(count: number, limit: number): string {
  return `request has ${count} header fields, more than maxHeaderCount (${limit}); capture forwards and records a head whole or not at all`;
}
