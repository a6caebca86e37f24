import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest, OutgoingHttpHeaders } from 'node:http2';
import { H2 } from './lazy-http2.js';
import type { Duplex } from 'node:stream';
import { serializeResponseHead, writeRawResponse } from './raw-response.js';

/**
 * The client's side of an upgrade, whichever protocol asked for it: an HTTP/1.1 `Upgrade`
 * request on a socket, or an HTTP/2 extended CONNECT stream (RFC 8441). The upgrade logic
 * (`upgrade.ts`) writes its answers through this and relays bytes over `socket` after the switch.
 */
export interface UpgradeClient {
  /** What carries the connection's bytes after the switch: the socket, or the h2 stream. */
  readonly socket: Duplex;
  /** Bytes the client sent after its request, already read. */
  readonly head: Buffer;
  /** The request as Node parsed it (for `RequestContext.incoming`). */
  readonly incoming: IncomingMessage;
  /** Tells the client the protocol switched: the 101 head (HTTP/1.1), or `:status 200` (RFC 8441). */
  switched(statusCode: number, statusMessage: string, headers: readonly string[]): void;
  /** Writes the head of an ordinary answer (a declined or mocked upgrade); its body follows on `socket`, then the end. */
  respond(statusCode: number, statusMessage: string, headers: readonly string[]): void;
  /** Answers with a short plain-text error and ends. */
  refuse(status: number, text: string): void;
}

/** The client of an HTTP/1.1 `Upgrade` request. */
export function http1UpgradeClient(req: IncomingMessage, socket: Duplex, head: Buffer): UpgradeClient {
  return {
    socket,
    head,
    incoming: req,
    switched: (statusCode, statusMessage, headers) => void socket.write(serializeResponseHead(statusCode, statusMessage, headers)),
    // The body is relayed as it comes and the connection closed after it: no length to keep.
    respond: (statusCode, statusMessage, headers) => void socket.write(serializeResponseHead(statusCode, statusMessage, [...headers, 'Connection', 'close'])),
    refuse: (status, text) => writeRawResponse(socket, status, text),
  };
}

/**
 * Fields HTTP/2 forbids (connection-specific, RFC 9113 section 8.2.2) or that only mean something
 * in the HTTP/1.1 handshake (RFC 8441 section 5: no `Sec-WebSocket-Accept` on h2).
 */
const NOT_ON_H2 = new Set(['connection', 'upgrade', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'host', 'sec-websocket-accept']);

/** The client of an RFC 8441 extended CONNECT stream: the 101 is answered `:status 200`. */
export function http2UpgradeClient(req: Http2ServerRequest): UpgradeClient {
  const stream = req.stream;
  const respond = (statusCode: number, headers: readonly string[]): void => {
    if (stream.destroyed || stream.headersSent) return;
    stream.respond(toH2Headers(statusCode, headers));
  };
  return {
    socket: stream,
    head: Buffer.alloc(0),
    incoming: req as unknown as IncomingMessage,
    switched: (statusCode, _message, headers) => respond(statusCode === 101 ? 200 : statusCode, headers),
    respond: (statusCode, _message, headers) => respond(statusCode, headers),
    refuse: (status, text) => {
      if (stream.destroyed) return;
      if (stream.headersSent) return void stream.close(H2.INTERNAL_ERROR);
      stream.respond({ ':status': status, 'content-type': 'text/plain; charset=utf-8' });
      stream.end(text ? `capture: ${text}\n` : '');
    },
  };
}

/** A flat `[name, value, ...]` list as h2 response headers, without the fields h2 does not carry. */
function toH2Headers(statusCode: number, flat: readonly string[]): OutgoingHttpHeaders {
  const headers: OutgoingHttpHeaders = { ':status': statusCode };
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase();
    if (NOT_ON_H2.has(name) || name.startsWith(':')) continue;
    const value = flat[i + 1]!;
    const existing = headers[name];
    if (existing === undefined) headers[name] = value;
    else headers[name] = Array.isArray(existing) ? [...existing, value] : [String(existing), value];
  }
  return headers;
}
