import type net from 'node:net';
import tls from 'node:tls';

/**
 * Opens a TCP connection to an origin the way the proxy reaches it (`proxy.openUpstreamSocket`:
 * directly, or through `upstreamProxy` unless `noProxy` names the host).
 */
export type OpenOriginSocket = (host: string, port: number) => Promise<net.Socket>;

/** What the origin chose when asked, or that it could not be asked (no TLS, unreachable, too slow). */
export type OriginProtocol = 'h2' | 'http/1.1' | 'unknown';

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
 * Asks origins which protocol they speak: a TLS handshake offering `['h2', 'http/1.1']` over a
 * connection opened as the proxy opens its own (so through the upstream proxy when one is
 * configured: an origin reachable only that way still gets its answer, and the probe never
 * bypasses it), closed as soon as the handshake completes (its answer is all that is needed; the request itself goes
 * through the core's verified upstream pool). Answers are remembered per `host:port`, so only
 * the first connection to an origin waits for a probe. A probe that fails (no TLS there,
 * unreachable, a certificate error) answers `unknown` and is not remembered: the exchange then
 * meets the same failure upstream and the client gets capture's usual clear 502.
 */
export class OriginProtocols {
  readonly #known = new Map<string, 'h2' | 'http/1.1'>();
  readonly #pending = new Map<string, Promise<OriginProtocol>>();
  readonly #open: OpenOriginSocket;

  constructor(open: OpenOriginSocket) {
    this.#open = open;
  }

  /** How many origins are remembered (bounded by the cache size). */
  get size(): number {
    return this.#known.size;
  }

  /** The origin's protocol; concurrent asks for one origin share one probe. */
  ask(host: string, port: number, servername: string | undefined): Promise<OriginProtocol> {
    const key = `${host}:${port}`;
    const known = this.#known.get(key);
    if (known) {
      this.#known.delete(key);
      this.#known.set(key, known);
      return Promise.resolve(known);
    }
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = probe(this.#open, host, port, servername).then((protocol) => {
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
 * Every probe's secure context (no client certificate): made once, not per connection (about
 * 0.3 ms each). It trusts no certificate authority: the probe verifies nothing anyway, and with
 * a chain that verifies Node builds the whole peer certificate chain as objects
 * (`getPeerCertificate(true)`) for its name check. An origin trusted by the system store cost
 * each probe that and the chain's verification: 1.7 ms against 1.35 ms of CPU per probe
 * (handshake with a local origin, both sides).
 */
let sharedProbeContext: tls.SecureContext | undefined;
const probeContext = (): tls.SecureContext => (sharedProbeContext ??= tls.createSecureContext({ ca: [] }));

function probe(open: OpenOriginSocket, host: string, port: number, servername: string | undefined): Promise<OriginProtocol> {
  return new Promise((resolve) => {
    let settled = false;
    let socket: tls.TLSSocket | undefined;
    const done = (protocol: OriginProtocol) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (protocol === 'unknown') socket?.destroy();
      else {
        // Closed cleanly (close_notify), then cut if the origin does not close its side soon.
        socket?.end();
        setTimeout(() => socket?.destroy(), 1_000).unref();
      }
      resolve(protocol);
    };
    // One budget for the whole probe, the upstream proxy's CONNECT included.
    const timer = setTimeout(() => done('unknown'), PROBE_TIMEOUT_MS);
    open(host, port).then(
      (raw) => {
        // Too late (timed out while connecting): nobody waits for this connection any more.
        if (settled) return void raw.destroy();
        socket = tls.connect({
          socket: raw,
          secureContext: probeContext(),
          ...(servername ? { servername } : {}),
          ALPNProtocols: ['h2', 'http/1.1'],
          // Only the ALPN answer is read and nothing is sent: the certificate is verified, and
          // any client certificate presented, on the real upstream connection (core's pool).
          rejectUnauthorized: false,
        });
        socket.on('error', () => undefined);
        socket.once('secureConnect', () => done(socket!.alpnProtocol === 'h2' ? 'h2' : 'http/1.1'));
        socket.once('error', () => done('unknown'));
        socket.once('close', () => done('unknown'));
        // tls.connect over a socket destroys neither on failure: the raw one goes with it.
        socket.once('close', () => raw.destroy());
      },
      // Unreachable, refused, or the upstream proxy's failure: the exchange meets it again and says so.
      () => done('unknown'),
    );
  });
}
