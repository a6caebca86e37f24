import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressGuard } from './address-guard.js';
import net from 'node:net';
import tls from 'node:tls';
import type { Dispatcher, buildConnector } from 'undici';
import { ClientCertificates } from './client-certificates.js';
import type { ResolvedConfig } from './config.js';
import { H2Sessions } from './h2-upstream.js';
import { aheadKey, AheadConnections, serverNameOf, type AheadProtocol } from './upstream-ahead.js';
import { UpstreamRoutes, type UpstreamProxy } from './upstream-proxy.js';
import { openThroughProxy, UpstreamProxyError } from './upstream-tunnel.js';
import { ViaProxyHandler } from './via-proxy-handler.js';

/** How the proxy verifies upstream TLS; see {@link UpstreamPool.setTls}. */
export interface UpstreamTlsOptions {
  /** Extra trusted CA certificates (PEM), added to the system's. */
  ca?: Array<string | Buffer>;
  /** Verify upstream certificates. Default true. */
  rejectUnauthorized?: boolean;
}

/** How upstream TLS is verified: a shared trust store when extra CAs are configured. */
export interface UpstreamTlsState {
  /** The trust store with the extra CAs (and, per host, the client certificate); undefined means Node's default roots (`UpstreamPool.tls` makes that context on first use). */
  readonly secureContext: tls.SecureContext | undefined;
  /** Verify upstream certificates. */
  readonly rejectUnauthorized: boolean;
}

/** The two parts of undici the proxy uses. */
interface UndiciParts {
  Agent: typeof import('undici').Agent;
  buildConnector: typeof buildConnector;
}

/**
 * undici's Agent (its pool, client and HTTP/1.1 parser) and connector, loaded synchronously by
 * the first forwarded request: an idle proxy, a tunnel-only session and commands such as
 * `capture history list` never pay for them. Loaded from their own files, not undici's index,
 * which also loads fetch, WebSocket, the caches and the mocks: 11 MiB and 20 ms instead of 20 MiB
 * and 60 ms (undici is pinned to one version, whose layout this follows).
 */
let undici: UndiciParts | undefined;
function loadUndici(): UndiciParts {
  if (undici) return undici;
  const require = createRequire(import.meta.url);
  const Agent = require('undici/lib/dispatcher/agent.js') as UndiciParts['Agent'];
  const connect = require('undici/lib/core/connect.js') as UndiciParts['buildConnector'];
  return (undici = { Agent, buildConnector: connect });
}

/**
 * The upstream side of the proxy: undici's keep-alive pool for forwarded requests (no cap on
 * connections per origin: a proxy must not queue one client behind another; measured about 40%
 * faster than Node's http.request under the benchmark's load), the trust store and client
 * certificates upstream TLS uses, and the routes to origins (direct, or through the upstream
 * proxy), also used by the connections that leave the pool (tunnels, upgrades, HTTP/2 sessions).
 */
export class UpstreamPool {
  readonly #config: ResolvedConfig;
  #dispatcher: Dispatcher | undefined;
  /** Plain `http://` requests in absolute form to an HTTP(S) upstream proxy, pooled keep-alive to it. */
  #viaProxy: Dispatcher | undefined;
  #tls: UpstreamTlsState;
  /** The extra CAs of the trust store, kept to build the contexts that also hold a client certificate. */
  #ca: string[] | undefined;
  /** One secure context per client certificate, for the current trust. */
  readonly #certificateContexts = new Map<string, tls.SecureContext>();
  /** One undici connector per TLS setup (the default, each client certificate). */
  readonly #connectors = new Map<string, buildConnector.connector>();
  /** HTTP/2 sessions, for origins that negotiated h2 (see `h2-upstream.ts`). */
  readonly h2: H2Sessions;
  /** Connections opened before their origin's first request (see {@link UpstreamPool.connectAhead}). */
  readonly ahead = new AheadConnections();
  /** Which targets go through the upstream proxy. */
  readonly routes: UpstreamRoutes;
  readonly #certificates: ClientCertificates;

  /** Runs `onUpstreamAddress` on every direct connection (see `address-guard.ts`). */
  readonly guard: AddressGuard;

  constructor(config: ResolvedConfig, guard: AddressGuard) {
    this.#config = config;
    this.guard = guard;
    this.#tls = { secureContext: undefined, rejectUnauthorized: config.rejectUnauthorized };
    this.routes = new UpstreamRoutes(config.upstreamProxy, config.noProxy);
    this.#certificates = new ClientCertificates(config.clientCertificates);
    this.h2 = new H2Sessions(config, this);
  }

  /** The pool requests are dispatched through, created (and undici loaded) on first use. */
  get dispatcher(): Dispatcher {
    return (this.#dispatcher ??= this.#createDispatcher());
  }

  /** How upstream TLS is verified now (without client certificates; see {@link UpstreamPool.tlsFor}). */
  get tls(): UpstreamTlsState {
    // One context for every connection with the default trust, made on first use: given none,
    // tls.connect makes a context for each new upstream connection (SSL_CTX_new and the root
    // store, about 0.3 ms with OpenSSL 3).
    if (!this.#tls.secureContext) this.#tls = { ...this.#tls, secureContext: tls.createSecureContext() };
    return this.#tls;
  }

  /** How TLS to `hostname` is set up: the trust, and the client certificate configured for it, if any. */
  tlsFor(hostname: string): UpstreamTlsState {
    const certificate = this.#certificates.for(hostname);
    if (!certificate) return this.tls;
    let context = this.#certificateContexts.get(certificate.file);
    if (!context) {
      context = tls.createSecureContext({ ...(this.#ca ? { ca: this.#ca } : {}), ...certificate.options });
      this.#certificateContexts.set(certificate.file, context);
    }
    return { secureContext: context, rejectUnauthorized: this.#tls.rejectUnauthorized };
  }

  /**
   * Sends one request upstream: plain `http://` through an HTTP(S) upstream proxy in absolute
   * form on the pooled connections to it; everything else through the pool, whose connections
   * reach the origin directly or through the upstream proxy's tunnel.
   */
  dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): void {
    // Direct (the usual case): no URL parsed per request.
    const origin = this.routes.direct ? undefined : new URL(String(options.origin));
    if (origin?.protocol === 'http:') {
      const hostname = origin.hostname.startsWith('[') ? origin.hostname.slice(1, -1) : origin.hostname;
      const proxy = this.routes.for(hostname, Number(origin.port) || 80, false);
      if (proxy && (proxy.protocol === 'http' || proxy.protocol === 'https')) {
        this.#viaProxy ??= this.#createViaProxy();
        const headers = [...(options.headers as string[])];
        if (proxy.username || proxy.password) headers.push('proxy-authorization', basicCredentials(proxy));
        this.#viaProxy.dispatch(
          { ...options, origin: `${proxy.protocol}://${proxy.hostname.includes(':') ? `[${proxy.hostname}]` : proxy.hostname}:${proxy.port}`, path: `${origin.origin}${options.path}`, headers },
          new ViaProxyHandler(handler, proxy),
        );
        return;
      }
    }
    this.dispatcher.dispatch(options, handler);
  }

  /**
   * A TCP connection to `hostname:port`, direct or through the upstream proxy (for tunnels,
   * upgrades and HTTP/2 sessions). `secure`: the connection will carry TLS or is a CONNECT
   * tunnel. Rejects with the connect error, or an {@link UpstreamProxyError}.
   */
  openSocket(hostname: string, port: number, secure: boolean): Promise<net.Socket> {
    const timeout = Math.min(this.#config.upstreamTimeout, 30_000);
    const proxy = this.routes.for(hostname, port, secure);
    if (proxy) return openThroughProxy(proxy, hostname, port, { timeout, proxyTls: this.tls });
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: hostname, port });
      socket.setTimeout(timeout, () => socket.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' })));
      socket.once('connect', () => {
        socket.setTimeout(0);
        socket.off('error', reject);
        // Checked on the address really reached, before a byte is written.
        const refused = this.guard.socketRefusal(hostname, socket);
        if (refused) {
          socket.destroy();
          return reject(refused);
        }
        resolve(socket);
      });
      socket.once('error', reject);
    });
  }

  /**
   * Opens a TLS connection to `hostname:port` as the pool's own would be (the same trust and
   * client certificate, direct or through the upstream proxy, the address checked before any
   * byte is sent), offering h2 and HTTP/1.1, and keeps it for the origin's first request (h2
   * sessions and the HTTP/1.1 pool take it). Resolves with the protocol the origin chose; rejects
   * as a request there would fail (unreachable, no TLS, a certificate that does not verify).
   */
  async connectAhead(hostname: string, port: number): Promise<AheadProtocol> {
    const raw = await this.openSocket(hostname, port, true);
    const trust = this.tlsFor(hostname);
    const servername = serverNameOf(hostname);
    const options: WithHighWaterMark<tls.ConnectionOptions> = {
      socket: raw,
      host: hostname,
      ...(servername ? { servername } : {}),
      ALPNProtocols: ['h2', 'http/1.1'],
      highWaterMark: UPSTREAM_TLS_HIGH_WATER_MARK,
      rejectUnauthorized: trust.rejectUnauthorized,
      ...(trust.secureContext ? { secureContext: trust.secureContext } : {}),
    };
    const socket = tls.connect(options);
    // tls.connect over a socket destroys neither on failure: the raw one goes with it.
    socket.once('close', () => raw.destroy());
    const timeout = Math.min(this.#config.upstreamTimeout, 30_000);
    socket.setTimeout(timeout, () => socket.destroy(Object.assign(new Error('TLS handshake timeout'), { code: 'ETIMEDOUT' })));
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => {
        socket.off('error', reject);
        resolve();
      });
      socket.once('error', reject);
    });
    socket.setTimeout(0);
    // As undici's own connector sets its sockets: requests are small writes, and a dead origin is noticed.
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    const protocol: AheadProtocol = socket.alpnProtocol === 'h2' ? 'h2' : 'http/1.1';
    this.ahead.park(aheadKey(hostname, port), socket, protocol, servername);
    return protocol;
  }

  /**
   * Replaces how upstream TLS is verified. Connections already pooled are closed so the change
   * applies at once; requests in flight on them finish first.
   */
  setTls(options: UpstreamTlsOptions): void {
    this.#ca = options.ca?.length ? trustedCertificates(options.ca) : undefined;
    this.#tls = {
      secureContext: this.#ca ? tls.createSecureContext({ ca: this.#ca }) : undefined,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    };
    this.#certificateContexts.clear();
    this.#connectors.clear();
    this.h2.close();
    this.ahead.close();
    const previous = [this.#dispatcher, this.#viaProxy];
    // The next request creates the pool anew with the new trust.
    this.#viaProxy = undefined;
    this.#dispatcher = undefined;
    for (const old of previous) void old?.close().catch(() => undefined);
  }

  /** Destroys the pool and every upstream connection in it. */
  async close(): Promise<void> {
    this.h2.close();
    this.ahead.close();
    await Promise.all([this.#dispatcher?.destroy().catch(() => undefined), this.#viaProxy?.destroy().catch(() => undefined)]);
  }

  #agentOptions(): import('undici').Agent.Options {
    const config = this.#config;
    return {
      connections: null,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      headersTimeout: config.upstreamTimeout,
      bodyTimeout: config.upstreamTimeout,
    };
  }

  #createDispatcher(): Dispatcher {
    // Always routed through #connect: a plugin may tap onUpstreamAddress after the pool exists.
    return new (loadUndici().Agent)({ ...this.#agentOptions(), connect: this.#connect });
  }

  #createViaProxy(): Dispatcher {
    return new (loadUndici().Agent)({ ...this.#agentOptions(), connect: this.#connectOptions(this.tls) });
  }

  #connectOptions(state: UpstreamTlsState, secure = false): buildConnector.BuildOptions | WithHighWaterMark<buildConnector.BuildOptions> {
    return {
      ...(secure ? { highWaterMark: UPSTREAM_TLS_HIGH_WATER_MARK } : {}),
      rejectUnauthorized: state.rejectUnauthorized,
      ...(state.secureContext ? { secureContext: state.secureContext } : {}),
      timeout: Math.min(this.#config.upstreamTimeout, 30_000),
    };
  }

  /** The connector with the TLS setup for `hostname` (its client certificate, if any), built once per setup. */
  #connectorFor(hostname: string, secure: boolean): buildConnector.connector {
    const key = `${secure ? 'tls' : 'tcp'}:${this.#certificates.for(hostname)?.file ?? ''}`;
    let connector = this.#connectors.get(key);
    if (!connector) {
      connector = loadUndici().buildConnector(this.#connectOptions(this.tlsFor(hostname), secure));
      this.#connectors.set(key, connector);
    }
    return connector;
  }

  /** undici's connect step, routed: direct, or through the upstream proxy's tunnel with TLS on top for `https://`. */
  readonly #connect: buildConnector.connector = (options, callback) => {
    const secure = options.protocol === 'https:';
    const hostname = options.hostname.startsWith('[') ? options.hostname.slice(1, -1) : options.hostname;
    const port = Number(options.port) || (secure ? 443 : 80);
    if (secure) {
      // The connection opened for this origin before its first request (the ALPN question), when there is one.
      const ahead = this.ahead.take(aheadKey(hostname, port), 'http/1.1', options.servername || serverNameOf(hostname));
      // undici's client expects the connector's callback later, as a connection's would come (called at once, the request stalled).
      if (ahead) return void process.nextTick(callback, null, ahead);
    }
    const connector = this.#connectorFor(hostname, secure);
    const proxy = this.routes.for(hostname, port, secure);
    if (!proxy) {
      if (!this.guard.active) return connector(options, callback);
      // Checked on the address really reached, before undici writes the request (for https, only the ClientHello went out).
      return connector(options, (error, socket) => {
        const refused = socket && !error ? this.guard.socketRefusal(hostname, socket as net.Socket) : undefined;
        if (!refused) return error ? callback(error, null) : callback(null, socket!);
        socket!.destroy();
        callback(refused, null);
      });
    }
    openThroughProxy(proxy, hostname, port, { timeout: Math.min(this.#config.upstreamTimeout, 30_000), proxyTls: this.tls }).then(
      (socket) => {
        if (!secure) return callback(null, socket);
        connector({ ...options, httpSocket: socket }, callback);
      },
      (error: Error) => callback(error, null),
    );
  };
}

/**
 * The readable (and writable) high-water mark of upstream TLS connections (undici's is 16 KiB;
 * its 64 KiB for TCP is left, one read being one push there). One TLS read from the socket
 * (64 KiB) decrypts into several 16 KiB records, all pushed before the HTTP parser reads any:
 * the push past 16 KiB stopped the socket's reading, and the parser's read started it again, for
 * every read of a download (two epoll_ctl calls each). At 256 KiB none are left (at 128 KiB a
 * quarter, and no CPU saved); the larger reads cost about 3 MiB of peak RSS over HTTPS downloads.
 * A paused exchange still stops reading.
 */
const UPSTREAM_TLS_HIGH_WATER_MARK = 256 * 1024;

/** Options with the stream `highWaterMark` that `tls.connect` takes (and undici passes on to it), which their types leave out. */
type WithHighWaterMark<Options> = Options & { highWaterMark: number };

/** `Basic base64(user:pass)` for a proxy's credentials. */
export function basicCredentials(proxy: UpstreamProxy): string {
  return `Basic ${Buffer.from(`${proxy.username}:${proxy.password}`).toString('base64')}`;
}

export { UpstreamProxyError };

/**
 * The system's roots, `NODE_EXTRA_CA_CERTS` and `extra`, for one TLS context built once:
 * passing a CA list per connection instead would make OpenSSL parse ~150 certificates for every
 * new upstream connection.
 */
function trustedCertificates(extra: Array<string | Buffer>): string[] {
  const ca: string[] = [...tls.rootCertificates];
  const fromEnv = process.env.NODE_EXTRA_CA_CERTS;
  if (fromEnv) {
    try {
      ca.push(readFileSync(fromEnv, 'utf8'));
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we, by ignoring it.
    }
  }
  for (const pem of extra) ca.push(pem.toString());
  return ca;
}
