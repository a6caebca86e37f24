import http, { type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { requestHeaderListFromRaw } from './exchange.js';
import { formatAuthority } from './host-pattern.js';
import { hasTaps, kActiveTap, type ConnectContext } from './hooks.js';
import type { CapturePipeline } from './pipeline.js';
import { writeRawResponse } from './raw-response.js';
import type { SocketInfo } from './socket-info.js';
import { CONNECT_ESTABLISHED, tunnel } from './tunnel.js';

/** What a device is told when an `onConnect` tap failed (the detail goes to `onError`). */
const CONNECT_FAILED_MESSAGE = 'a plugin failed while handling this CONNECT';

/**
 * Runs a CONNECT past the `onConnect` taps, which may take the socket over (`accept()`), refuse
 * it or leave it; what nobody took is tunnelled blindly. A refusal is an exchange of its own
 * (method `CONNECT`, the authority as URL, marked `skip`), so the live log shows it and storage
 * does not keep it.
 */
export async function handleConnect(
  pipeline: CapturePipeline,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  info: SocketInfo,
  source: string,
): Promise<void> {
  const authority = parseAuthority(req.url ?? '');
  if (!authority) return writeRawResponse(socket, 400, `CONNECT needs host:port, got "${req.url ?? ''}"`);
  let accepted = false;
  let settled = false;
  const timeout = pipeline.config.upstreamTimeout;
  const context: ConnectContext & { [kActiveTap]?: string } = {
    request: req,
    hostname: authority.hostname,
    port: authority.port,
    client: info.client,
    source,
    accept: () => {
      if (!accepted) {
        accepted = true;
        socket.write(CONNECT_ESTABLISHED);
        if (head.length) socket.unshift(head);
      }
      return socket;
    },
    refuse: (status, message) => {
      if (settled) return;
      settled = true;
      // Once 200 went out, the refusal can only be a cut connection.
      if (accepted) socket.destroy();
      else writeRawResponse(socket, status, message);
      const exchange = pipeline.open(
        { method: 'CONNECT', url: formatAuthority(authority.hostname, authority.port), httpVersion: req.httpVersion, headers: requestHeaderListFromRaw(req.rawHeaders) },
        info.client,
        false,
        source,
      );
      exchange.response = { statusCode: status, statusMessage: http.STATUS_CODES[status] ?? '', httpVersion: '1.1', headers: [] };
      exchange.skip = { reason: `refused: ${message}`, by: context[kActiveTap] ?? 'proxy' };
      pipeline.complete(exchange, undefined, undefined);
    },
    tunnel: (acceptedSocket = socket) => {
      settled = true;
      tunnel(acceptedSocket, authority.hostname, authority.port, { established: accepted, timeout });
    },
  };
  if (hasTaps(pipeline.hooks.onConnect)) {
    try {
      if (await pipeline.hooks.onConnect.promise(context)) return;
    } catch (error) {
      pipeline.report(error);
      if (accepted) return void socket.destroy();
      return writeRawResponse(socket, 502, CONNECT_FAILED_MESSAGE);
    }
  }
  if (socket.destroyed || settled) return;
  if (!accepted && head.length) socket.unshift(head);
  context.tunnel();
}

/** Parses a CONNECT target `host:port` (IPv6 in brackets). */
function parseAuthority(authority: string): { hostname: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:/[\]]+)):(\d{1,5})$/.exec(authority);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { hostname: (match[1] ?? match[2])!, port };
}
