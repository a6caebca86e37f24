import http, { type IncomingMessage } from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ConnectReply } from './connect.js';
import { PROXY_AUTH_CHALLENGE } from './proxy-auth.js';
import { writeRawResponse } from './raw-response.js';
import type { SocketInfo } from './socket-info.js';
import { socksReply, SOCKS5_REPLY } from './socks-handshake.js';
import { targetUrl } from './target-url.js';

/* The router's small pure pieces (router.ts): how a connection's target reads, and the replies it sends. */

/** True when the client's side of the connection is TLS (decrypted by a plugin). */
export function clientTls(info: SocketInfo): boolean {
  return info.target ? (info.target.clientTls ?? info.target.secure) : false;
}

/** `host[:port]` as a URL's `host` spells it, for a decrypted connection whose origin chose h2; else undefined. */
export function upstreamH2Host(target: NonNullable<SocketInfo['target']>): string | undefined {
  if (!target.upstreamH2 || !target.secure) return undefined;
  return targetUrl(target, '').slice('https://'.length);
}

/** The origin reverse mode forwards to. */
export interface ReverseOrigin {
  secure: boolean;
  hostname: string;
  port: number;
  /** `https://api.example.com` (no default port, no trailing slash). */
  url: string;
}

/** Parses the `reverse` option (validated by the config schema already). */
export function reverseOrigin(value: string): ReverseOrigin {
  const url = new URL(value);
  const secure = url.protocol === 'https:';
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  return { secure, hostname, port: Number(url.port) || (secure ? 443 : 80), url: url.origin };
}

/** The first byte of a TLS record carrying a handshake (a ClientHello on a fresh connection). */
export const TLS_HANDSHAKE = 0x16;

/** A connection sniffed as TLS asked nothing: it is told nothing, and cut on refusal. */
export const SILENT_REPLY: ConnectReply = { established: () => undefined, refuse: (socket) => void socket.destroy() };

/** The CONNECT request a SOCKS client or a sniffed TLS connection stands for, as `onConnect` taps read it. */
export function syntheticConnect(socket: net.Socket, authority: string): IncomingMessage {
  const req = new http.IncomingMessage(socket);
  req.method = 'CONNECT';
  req.url = authority;
  req.httpVersion = '1.1';
  req.httpVersionMajor = 1;
  req.httpVersionMinor = 1;
  req.headers = { host: authority };
  req.rawHeaders = ['Host', authority];
  return req;
}

/** SOCKS replies for the CONNECT path: success, or the failure code closest to the HTTP status. */
export function socksConnectReply(version: 4 | 5): ConnectReply {
  return {
    established: (socket) => void socket.write(socksReply(version, SOCKS5_REPLY.succeeded)),
    refuse: (socket, status, message) => {
      const code =
        status === 403 || status === 407 ? SOCKS5_REPLY.notAllowed : status === 502 ? (/refused/i.test(message) ? SOCKS5_REPLY.connectionRefused : SOCKS5_REPLY.hostUnreachable) : SOCKS5_REPLY.generalFailure;
      if (socket.writable) socket.end(socksReply(version, code));
      else socket.destroy();
    },
  };
}

/** Answers a raw socket (CONNECT, upgrade) 407 with the proxy's authentication challenge. */
export function writeProxyAuthRequired(socket: Duplex): void {
  writeRawResponse(socket, 407, 'proxy authentication required', [`Proxy-Authenticate: ${PROXY_AUTH_CHALLENGE}`]);
}

/** Why a client with a public address is refused, and the option that serves it. */
export function publicClientMessage(info: SocketInfo): string {
  return `clients from public address ${info.client.address} are refused; set allowPublicClients: true to serve them`;
}
