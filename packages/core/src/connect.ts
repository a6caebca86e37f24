import http, { type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { requestHeaderListFromRaw } from './exchange.js';
import { formatAuthority } from './host-pattern.js';
import { hasTaps, kActiveTap, type ConnectContext } from './hooks.js';
import type { CapturePipeline } from './pipeline.js';
import { writeRawResponse } from './raw-response.js';
import type { SocketInfo } from './socket-info.js';
import { CONNECT_ESTABLISHED, tunnel, type BlindTunnelSummary } from './tunnel.js';

/** Hands a tunnelled socket that speaks plain HTTP/1.x to the router, as a connection for `target` from `source`. */
export type PlainHttpHandOver = (
  socket: Duplex,
  target: NonNullable<SocketInfo['target']>,
  client: SocketInfo['client'],
  source: string,
  /** True for cleartext HTTP/2 with prior knowledge, false for HTTP/1.x. */
  http2: boolean,
) => void;

/**
 * How the client that asked for a tunnel is answered: an HTTP CONNECT gets `200 Connection
 * Established` or an HTTP error status; a SOCKS client its protocol's replies; a TLS connection
 * sniffed in reverse mode nothing at all (it asked nothing) and is cut on refusal.
 */
export interface ConnectReply {
  /** Tells the client the tunnel is open. */
  established(socket: Duplex): void;
  /** Refuses the tunnel with `status` and one line, then closes the connection. */
  refuse(socket: Duplex, status: number, message: string): void;
}

/** The answers of an HTTP CONNECT. */
export const HTTP_CONNECT_REPLY: ConnectReply = {
  established: (socket) => void socket.write(CONNECT_ESTABLISHED),
  refuse: (socket, status, message) => writeRawResponse(socket, status, message),
};

/** What a device is told when an `onConnect` tap failed (the detail goes to `onError`). */
const CONNECT_FAILED_MESSAGE = 'a plugin failed while handling this CONNECT';

/**
 * Runs a CONNECT past the `onConnect` taps, which may take the socket over (`accept()`), refuse
 * it or leave it; what nobody took goes to the tunnel. A tunnel whose client speaks plain
 * HTTP/1.x is handed back to the router (`handOver`), so its requests are captured; anything
 * else is tunnelled blindly. A refusal and a blind tunnel (once it closed) are exchanges of their
 * own (method `CONNECT`, the authority as URL, marked `skip`: `refused: …`, `tunnelled blindly
 * (TLS)`, …), so the live log shows them and storage does not keep them.
 */
export async function handleConnect(
  pipeline: CapturePipeline,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  info: SocketInfo,
  source: string,
  handOver: PlainHttpHandOver,
  open: (hostname: string, port: number) => Promise<import('node:net').Socket>,
  reply: ConnectReply = HTTP_CONNECT_REPLY,
): Promise<void> {
  const authority = parseAuthority(req.url ?? '');
  if (!authority) return reply.refuse(socket, 400, `CONNECT needs host:port, got "${req.url ?? ''}"`);
  let accepted = false;
  let settled = false;
  const startedAt = Date.now();
  const started = performance.now();
  const openTunnel = (client: Duplex, by: string) => {
    settled = true;
    tunnel(client, authority.hostname, authority.port, {
      established: accepted,
      establish: () => reply.established(client),
      refuse: (status, message) => reply.refuse(client, status, message),
      open,
      onPlainHttp: (plain) => handOver(plain, { secure: false, hostname: authority.hostname, port: authority.port }, info.client, source, false),
      onHttp2PriorKnowledge: (h2) => handOver(h2, { secure: false, hostname: authority.hostname, port: authority.port }, info.client, source, true),
      onBlindClosed: (summary) => recordBlindTunnel(summary, by),
    });
  };
  const recordBlindTunnel = (summary: BlindTunnelSummary, by: string) => {
    const exchange = pipeline.open(
      { method: 'CONNECT', url: formatAuthority(authority.hostname, authority.port), httpVersion: req.httpVersion, headers: requestHeaderListFromRaw(req.rawHeaders) },
      info.client,
      false,
      source,
    );
    exchange.timings.startedAt = startedAt;
    exchange.timings.total = performance.now() - started;
    exchange.sizes.requestBody = summary.sent;
    exchange.sizes.responseBody = summary.received;
    exchange.response = { statusCode: 200, statusMessage: 'Connection Established', httpVersion: '1.1', headers: [] };
    exchange.skip = { reason: `tunnelled blindly (${summary.kind})`, by };
    pipeline.complete(exchange, undefined, undefined);
  };
  const context: ConnectContext & { [kActiveTap]?: string } = {
    request: req,
    hostname: authority.hostname,
    port: authority.port,
    client: info.client,
    source,
    accept: () => {
      if (!accepted) {
        accepted = true;
        reply.established(socket);
        if (head.length) socket.unshift(head);
      }
      return socket;
    },
    refuse: (status, message) => {
      if (settled) return;
      settled = true;
      // Once 200 went out, the refusal can only be a cut connection.
      if (accepted) socket.destroy();
      else reply.refuse(socket, status, message);
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
    tunnel: (acceptedSocket = socket) => openTunnel(acceptedSocket, context[kActiveTap] ?? 'proxy'),
  };
  if (hasTaps(pipeline.hooks.onConnect)) {
    try {
      if (await pipeline.hooks.onConnect.promise(context)) return;
    } catch (error) {
      pipeline.report(error);
      if (accepted) return void socket.destroy();
      return reply.refuse(socket, 502, CONNECT_FAILED_MESSAGE);
    }
  }
  if (socket.destroyed || settled) return;
  if (!accepted && head.length) socket.unshift(head);
  openTunnel(socket, 'proxy');
}

/** Parses a CONNECT target `host:port` (IPv6 in brackets). */
function parseAuthority(authority: string): { hostname: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:/[\]]+)):(\d{1,5})$/.exec(authority);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { hostname: (match[1] ?? match[2])!, port };
}
