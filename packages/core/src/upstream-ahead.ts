import net from 'node:net';
import type tls from 'node:tls';

/** What an origin chose when a connection offered it h2 and HTTP/1.1. */
export type AheadProtocol = 'h2' | 'http/1.1';

/**
 * How long a connection opened ahead waits for its first request. The client's first request
 * usually follows its own handshake within milliseconds; a client that connected and went quiet
 * (a browser's preconnect) leaves the connection to be closed, before an origin's idle timeout
 * would (Node's is 5 s), as the pool does with idle connections.
 */
export const AHEAD_TTL_MS = 4_000;

/** The key of an origin's connection opened ahead: `host:port` (an IPv6 literal bare). */
export function aheadKey(hostname: string, port: number): string {
  return `${hostname}:${port}`;
}

/** The server name (SNI) a connection to `hostname` sends: none for an IP address. */
export function serverNameOf(hostname: string): string | undefined {
  return net.isIP(hostname) ? undefined : hostname;
}

interface Parked {
  readonly socket: tls.TLSSocket;
  readonly protocol: AheadProtocol;
  readonly servername: string | undefined;
  readonly timer: NodeJS.Timeout;
  readonly forget: () => void;
}

/**
 * Verified upstream TLS connections opened before their origin's first request (to learn
 * which protocol it speaks, so the client can be offered the same), kept for that request so
 * the first request to a new origin does not pay for a second handshake on both sides. At
 * most one per `host:port`; taken once, closed when unused for {@link AHEAD_TTL_MS}.
 */
export class AheadConnections {
  readonly #parked = new Map<string, Parked>();

  /** Keeps `socket` (secure, negotiated `protocol`) for the next request to `key` (`host:port`); one already kept is closed. */
  park(key: string, socket: tls.TLSSocket, protocol: AheadProtocol, servername: string | undefined): void {
    this.#drop(key, true);
    const forget = () => {
      if (this.#parked.get(key)?.socket === socket) this.#drop(key, false);
    };
    // While it waits nobody else listens: an origin closing it or a reset must not throw.
    socket.on('error', noop);
    socket.once('close', forget);
    const timer = setTimeout(() => this.#drop(key, true), AHEAD_TTL_MS).unref();
    this.#parked.set(key, { socket, protocol, servername, timer, forget });
  }

  /**
   * The connection kept for `key` when it negotiated `protocol` and was made for the same
   * server name (SNI) the request would use; the caller owns it from now on.
   */
  take(key: string, protocol: AheadProtocol, servername: string | undefined): tls.TLSSocket | undefined {
    const parked = this.#parked.get(key);
    if (!parked || parked.protocol !== protocol || parked.servername !== servername) return undefined;
    this.#parked.delete(key);
    clearTimeout(parked.timer);
    parked.socket.off('error', noop);
    parked.socket.off('close', parked.forget);
    return parked.socket.destroyed || !parked.socket.writable ? undefined : parked.socket;
  }

  /** Closes every connection still waiting (the trust changed, or the proxy closes). */
  close(): void {
    for (const key of [...this.#parked.keys()]) this.#drop(key, true);
  }

  #drop(key: string, close: boolean): void {
    const parked = this.#parked.get(key);
    if (!parked) return;
    this.#parked.delete(key);
    clearTimeout(parked.timer);
    if (!close) return;
    // Closed cleanly (close_notify), then cut if the origin does not close its side soon.
    parked.socket.end();
    setTimeout(() => parked.socket.destroy(), 1_000).unref();
  }
}

function noop(): void {}
