import type { ServerResponse } from 'node:http';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import { isLocalNetworkAddress, normalizeAddress } from './access-control.js';
import type { ResolvedConfig } from './config.js';
import type { ClientInfo } from './exchange.js';
import { writeRawResponse } from './raw-response.js';
import { getSocketInfo, setSocketInfo, type SocketInfo } from './socket-info.js';

/**
 * The client connections the router serves: each is tagged with its {@link SocketInfo} when it
 * arrives, tracked until it closes (so closing the proxy can cut what is left), and watched for
 * request heads that arrive too slowly.
 */
export class Connections {
  readonly #config: ResolvedConfig;
  readonly #sockets = new Set<Duplex>();
  /** Open accepted connections per client address, for `maxConnectionsPerClient`. */
  readonly #perClient = new Map<string, number>();
  #sweep: NodeJS.Timeout | undefined;

  constructor(config: ResolvedConfig) {
    this.#config = config;
  }

  /** How many client connections are open (tunnels and upgraded connections included). */
  get size(): number {
    return this.#sockets.size;
  }

  /**
   * A connection the server accepted: tracked, and tagged with the client's address and whether
   * that address may use the proxy, unless a plugin handed it over already tagged (it rides on a
   * connection counted already). A client over `maxConnectionsPerClient` gets 503 and is closed.
   */
  accept(socket: net.Socket): SocketInfo {
    this.track(socket);
    const known = getSocketInfo(socket);
    if (known) return known;
    const address = normalizeAddress(socket.remoteAddress);
    const open = this.#perClient.get(address) ?? 0;
    if (open >= this.#config.maxConnectionsPerClient) refuseOverCap(socket, address, this.#config.maxConnectionsPerClient);
    else {
      this.#perClient.set(address, open + 1);
      socket.once('close', () => {
        const left = this.#perClient.get(address)! - 1;
        if (left === 0) this.#perClient.delete(address);
        else this.#perClient.set(address, left);
      });
    }
    const info: SocketInfo = {
      client: { address, port: socket.remotePort ?? 0 },
      source: address,
      allowed: this.#config.allowPublicClients || isLocalNetworkAddress(address),
      preauthenticated: false,
      ...idleState(socket),
    };
    setSocketInfo(socket, info);
    return info;
  }

  /**
   * Tags a decrypted connection a plugin hands over: allowed, authenticated, requests origin-form
   * for `target`, from `source` (its CONNECT's) or else the client's address.
   */
  adopt(socket: Duplex, target: NonNullable<SocketInfo['target']>, client: ClientInfo | undefined, source: string | undefined): void {
    const peer = socket as net.Socket;
    const from = client ?? { address: normalizeAddress(peer.remoteAddress), port: peer.remotePort ?? 0 };
    setSocketInfo(socket, {
      client: from,
      source: source ?? from.address,
      allowed: true,
      preauthenticated: true,
      target,
      ...idleState(socket),
    });
  }

  /** Tracks a socket until it closes (CONNECT and upgrade sockets leave the server's own count). */
  track(socket: Duplex): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  /** Counts a request in flight on its connection until its response closes: an idle connection is not slow. */
  requestStarted(info: SocketInfo, socket: net.Socket, response: ServerResponse): void {
    info.inFlight++;
    info.fresh = false;
    response.once('close', () => {
      if (--info.inFlight === 0) {
        info.idleSince = performance.now();
        info.bytesAtIdle = socket.bytesRead ?? 0;
      }
    });
  }

  /** Starts cutting slow request heads (see {@link Connections.stop}). */
  start(): void {
    const period = Math.max(50, Math.min(1_000, this.#config.headersTimeout / 4));
    this.#sweep = setInterval(this.#cutSlowHeads, period);
    this.#sweep.unref();
  }

  /** Stops the slow-head sweep. */
  stop(): void {
    if (this.#sweep) clearInterval(this.#sweep);
  }

  /** Destroys every connection still open. */
  destroyAll(): void {
    for (const socket of this.#sockets) socket.destroy();
  }

  /**
   * Cuts connections that take longer than `headersTimeout` to send a request head (slowloris),
   * and connections that have sent nothing at all since they were accepted (Node's timers start
   * only with a first byte, so those would stay open for good). Node's own headersTimeout check
   * proved unreliable once other connections came and went, so the proxy sweeps its connections
   * itself; idle keep-alive connections (a request served already) are left to `keepAliveTimeout`.
   */
  readonly #cutSlowHeads = (): void => {
    const now = performance.now();
    const limit = this.#config.headersTimeout;
    for (const socket of this.#sockets) {
      const info = getSocketInfo(socket);
      if (!info || info.detached || info.inFlight > 0 || now - info.idleSince < limit) continue;
      if (((socket as net.Socket).bytesRead ?? 0) === info.bytesAtIdle) {
        // Silent since accept: nothing was asked, so nothing to answer.
        if (info.fresh) socket.destroy();
        continue;
      }
      writeRawResponse(socket, 408, `request head not received within ${limit / 1000} s`);
      socket.destroy();
    }
  };
}

/** A connection's idle bookkeeping as it starts: idle now, nothing read yet. */
function idleState(socket: Duplex): Pick<SocketInfo, 'inFlight' | 'idleSince' | 'bytesAtIdle' | 'fresh' | 'detached'> {
  return { inFlight: 0, idleSince: performance.now(), bytesAtIdle: (socket as net.Socket).bytesRead ?? 0, fresh: true, detached: false };
}

/**
 * Answers 503 on a connection beyond the client's cap and closes it once the answer is out. The
 * server has attached its parser already; a request parsed meanwhile finds the socket ended.
 */
function refuseOverCap(socket: net.Socket, address: string, cap: number): void {
  const body = `capture: too many open connections from ${address} (maxConnectionsPerClient is ${cap})\n`;
  const head = `HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  socket.end(head + body, () => socket.destroy());
}
