import type { Duplex } from 'node:stream';
import type { ClientInfo } from './exchange.js';

/** What the proxy knows about a client connection; kept on the socket under a private symbol. */
export interface SocketInfo {
  /** The client at the other end (the original TCP peer, also for decrypted TLS sockets). */
  client: ClientInfo;
  /**
   * Where the connection's exchanges come from unless a request's credentials say otherwise:
   * the client's address, or for a decrypted connection the source of its CONNECT.
   */
  source: string;
  /** False when the client's address is not allowed (public address without `allowPublicClients`). */
  allowed: boolean;
  /** True when proxy authentication is not needed on this connection (a tunnel already authenticated). */
  preauthenticated: boolean;
  /** Requests on this connection whose response has not closed yet. */
  inFlight: number;
  /** When (ms, monotonic) the connection last became idle, waiting for a request head. */
  idleSince: number;
  /** `bytesRead` at that moment: more bytes since then mean a request head is arriving. */
  bytesAtIdle: number;
  /** True until the first request head arrived: a connection silent since accept is closed after `headersTimeout`. */
  fresh: boolean;
  /** True once the socket left HTTP parsing (CONNECT tunnel, WebSocket). */
  detached: boolean;
  /** Set for decrypted TLS connections handed over by a plugin: requests are origin-form for this target. */
  target?: {
    secure: boolean;
    hostname: string;
    port: number;
    /** True when the origin chose h2 in ALPN: its requests go upstream over HTTP/2. */
    upstreamH2?: boolean;
    /** True when the client's side is TLS though the origin is reached in plain HTTP (reverse mode, `reverseTls`, an `http://` origin). */
    clientTls?: boolean;
    /** Reverse mode: this connection stands in for the reverse origin (`keepHost` applies). */
    reverse?: boolean;
  };
}

const kSocketInfo = Symbol('capture.socketInfo');

type TaggedSocket = Duplex & { [kSocketInfo]?: SocketInfo };

/** Reads the info stored on a socket, if any. */
export function getSocketInfo(socket: Duplex): SocketInfo | undefined {
  return (socket as TaggedSocket)[kSocketInfo];
}

/** Stores info on a socket. */
export function setSocketInfo(socket: Duplex, info: SocketInfo): void {
  (socket as TaggedSocket)[kSocketInfo] = info;
}

