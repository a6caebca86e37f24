import type { AheadProtocol } from '@capture/core';

/**
 * Opens the first connection to an origin as the proxy's own are made and keeps it for the
 * origin's first request (`proxy.connectUpstreamAhead`), resolving with the protocol it chose.
 */
export type ConnectAhead = (host: string, port: number) => Promise<AheadProtocol>;

/** What the origin chose when asked, or that it could not be asked (no TLS, unreachable, too slow). */
export type OriginProtocol = AheadProtocol | 'unknown';

/** How long the ALPN probe may take before the client is answered without it. */
const PROBE_TIMEOUT_MS = 10_000;
/** Origins whose answer is remembered (least recently used dropped first). */
const CACHE_SIZE = 1000;

/**
 * The protocol to answer a client with (mitmproxy's model): h2 when the client offers it and
 * the origin chose it too, or when the client offers nothing else (gRPC: capture then speaks
 * HTTP/1.1 to an origin that has no h2); otherwise HTTP/1.1. `undefined` for a client that
 * sent no ALPN (it gets none back).
 */
export function chooseClientProtocol(offered: readonly string[], origin: OriginProtocol): 'h2' | 'http/1.1' | undefined {
  if (offered.length === 0) return undefined;
  const h2 = offered.includes('h2');
  const onlyH2 = h2 && !offered.includes('http/1.1');
  if (h2 && (origin === 'h2' || onlyH2)) return 'h2';
  return 'http/1.1';
}

/**
 * Asks origins which protocol they speak: the first upstream connection to an origin is opened
 * while the client's own handshake waits (core's `connectUpstreamAhead`: verified as every
 * upstream connection is, through the upstream proxy when one is configured, offering
 * `['h2', 'http/1.1']`), and core keeps it for the origin's first request, so asking costs no
 * extra handshake. Answers are remembered per `host:port`, so only the first connection to an
 * origin waits. A connection that fails (no TLS there, unreachable, a certificate that does not
 * verify, too slow) answers `unknown` and is not remembered: the exchange then meets the same
 * failure upstream and the client gets capture's usual clear 502.
 */
export class OriginProtocols {
  readonly #known = new Map<string, AheadProtocol>();
  readonly #pending = new Map<string, Promise<OriginProtocol>>();
  readonly #connect: ConnectAhead;

  constructor(connect: ConnectAhead) {
    this.#connect = connect;
  }

  /** How many origins are remembered (bounded by the cache size). */
  get size(): number {
    return this.#known.size;
  }

  /** The origin's protocol; concurrent asks for one origin share one connection. */
  ask(host: string, port: number): Promise<OriginProtocol> {
    const key = `${host}:${port}`;
    const known = this.#known.get(key);
    if (known) {
      this.#known.delete(key);
      this.#known.set(key, known);
      return Promise.resolve(known);
    }
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = withTimeout(this.#connect(host, port)).then((protocol) => {
        this.#pending.delete(key);
        if (protocol !== 'unknown') {
          this.#known.set(key, protocol);
          if (this.#known.size > CACHE_SIZE) this.#known.delete(this.#known.keys().next().value!);
        }
        return protocol;
      });
      this.#pending.set(key, pending);
    }
    return pending;
  }
}

/**
 * The origin's answer within {@link PROBE_TIMEOUT_MS}, else `unknown` (the connection, if it
 * comes later, is kept by core for the first request all the same); any failure is `unknown`.
 */
function withTimeout(answer: Promise<AheadProtocol>): Promise<OriginProtocol> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve('unknown'), PROBE_TIMEOUT_MS);
    answer.then(
      (protocol) => {
        clearTimeout(timer);
        resolve(protocol);
      },
      () => {
        clearTimeout(timer);
        resolve('unknown');
      },
    );
  });
}
