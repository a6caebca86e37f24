import http from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Writes a complete, small HTTP/1.1 response straight to a socket and closes it: for CONNECT
 * and upgrade requests, where Node gives the handler a socket rather than a response object.
 */
export function writeRawResponse(socket: Duplex, status: number, message: string, extraHeaders: string[] = []): void {
  if (socket.destroyed || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = message ? `capture: ${message}\n` : '';
  const head = [
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}`,
    'Content-Type: text/plain; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Connection: close',
    ...extraHeaders,
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`);
}

/** Serialises a status line and a flat raw header array into an HTTP/1.1 response head. */
export function serializeResponseHead(statusCode: number, statusMessage: string, rawHeaders: readonly string[]): string {
  let head = `HTTP/1.1 ${statusCode} ${statusMessage}\r\n`;
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) head += `${rawHeaders[i]}: ${rawHeaders[i + 1]}\r\n`;
  return `${head}\r\n`;
}
