import type { Duplex } from 'node:stream';
import { AddressGuard } from './address-guard.js';
import { resolveConfig, type CaptureConfig, type ResolvedConfig } from './config.js';
import { ensureDataDir, resolveDataDir } from './data-dir.js';
import { CaptureError, PluginError } from './errors.js';
import type { ClientInfo, Exchange } from './exchange.js';
import { formatAuthority } from './host-pattern.js';
import { createProxyHooks, type ListenInfo, type ProxyHooks } from './hooks.js';
import { CapturePipeline } from './pipeline.js';
import { validatePlugins, type CapturePlugin, type PluginApiOf, type PluginContext } from './plugin.js';
import { closeInReverse, tapsAddedSince, type CloseTap } from './plugin-close.js';
import { Router } from './router.js';
import type { SocketInfo } from './socket-info.js';
import { UpstreamPool, type UpstreamTlsOptions } from './upstream-pool.js';
import type { AheadProtocol } from './upstream-ahead.js';
import { CORE_VERSION } from './version.js';

export type { UpstreamTlsOptions } from './upstream-pool.js';
export type { AheadProtocol } from './upstream-ahead.js';

/** Where a decrypted connection handed to {@link CaptureProxy.handleConnection} was going. */
export interface ConnectionTarget {
  /** True for TLS the plugin terminated: requests get `https://` URLs. */
  secure: boolean;
  /** The host the client connected to (from CONNECT or SNI). */
  hostname: string;
  /** The port the client connected to. */
  port: number;
  /** The original client; defaults to the socket's own peer. */
  client?: ClientInfo;
  /** Where the connection's exchanges come from: pass the CONNECT's `ConnectContext.source`. Default the client's address. */
  source?: string;
  /**
   * What the origin chose in ALPN when the plugin asked it (`h2` or `http/1.1`): with `h2`, the
   * connection's requests to that origin go upstream over HTTP/2, whatever the client speaks.
   * Default `http/1.1` (undici's pool).
   */
  upstreamProtocol?: AheadProtocol;
}

/** The mode a proxy runs in ({@link CaptureProxy.mode}). */
export interface ProxyMode {
  /** `forward` (clients set capture as their proxy) or `reverse` (capture stands in for one origin). */
  kind: 'forward' | 'reverse';
  /** Reverse mode: the origin's URL, e.g. `https://api.example.com`. */
  reverse?: string;
  /** The upstream proxy origins are reached through, without credentials (`http://corp:3128`). */
  upstreamProxy?: string;
  /** One line for people: `forward proxy`, `reverse proxy for https://api.example.com`, `forward proxy via upstream proxy http://corp:3128`. */
  description: string;
}

/**
 * The capture proxy: an HTTP/1.1 forward proxy whose behaviour plugins extend through
 * {@link CaptureProxy.hooks}. Create one with {@link createProxy}.
 *
 * This class is the facade: it applies plugins, starts and stops. A request flows through three
 * collaborators, one way: the router (`router.ts`: the server, local requests, one auth check),
 * the exchange (`http-exchange.ts`: hooks, forwarding through the upstream pool) and the capture
 * pipeline (`pipeline.ts`: decoding, `onExchange`/`onSkipped`). See docs/architecture.md.
 */
export class CaptureProxy {
  /** The hooks plugins tap: the whole extension surface, declared in `hooks.ts`. */
  readonly hooks: ProxyHooks = createProxyHooks();
  /** The config with defaults filled in. */
  readonly config: ResolvedConfig;
  /** The folder where plugins keep their files (CA, history, collections). */
  readonly dataDir: string;
  /** The version of `@capture/core`. */
  readonly version = CORE_VERSION;

  readonly #pipeline: CapturePipeline;
  readonly #upstream: UpstreamPool;
  readonly #router: Router;
  readonly #plugins = new Map<string, CapturePlugin>();
  /** The `onClose` taps each applied plugin registered, in plugin order: a failed start closes them in reverse. */
  readonly #closeTaps: Array<{ plugin: string; taps: CloseTap[] }> = [];
  #listenInfo: ListenInfo | undefined;
  #closing: Promise<void> | undefined;

  /** Prefer {@link createProxy}, which also applies the config's plugins. */
  constructor(config: ResolvedConfig, options: { dataDir?: string } = {}) {
    this.config = config;
    this.dataDir = options.dataDir ?? resolveDataDir({ dataDir: config.dataDir });
    this.#pipeline = new CapturePipeline(config, this.hooks);
    this.#upstream = new UpstreamPool(config, new AddressGuard(this.hooks.onUpstreamAddress));
    this.#router = new Router(this.#pipeline, this.#upstream, this.version);
  }

  /** The plugins applied to this proxy, in order. */
  get plugins(): CapturePlugin[] {
    return [...this.#plugins.values()];
  }

  /** Finds an applied plugin by name, e.g. to use the API it publishes (`proxy.plugin('https')?.api`). */
  plugin<Name extends string>(name: Name): CapturePlugin<PluginApiOf<Name>> | undefined {
    return this.#plugins.get(name) as CapturePlugin<PluginApiOf<Name>> | undefined;
  }

  /**
   * Applies plugins in order (each plugin's `apply` awaited), after checking the whole list
   * (names, dependencies, `core` ranges). When an `apply` throws, the plugins applied so far are
   * closed (their `onClose` taps, last plugin first) so nothing they started keeps the process
   * alive, and the proxy is closed for good; the error is a `PluginError` naming the plugin.
   */
  async use(plugins: readonly CapturePlugin[]): Promise<void> {
    validatePlugins([...this.#plugins.values(), ...plugins], CORE_VERSION);
    for (const plugin of plugins) {
      const context: PluginContext = {
        name: plugin.name,
        report: (error, hook = 'apply') => this.#pipeline.report(PluginError.from(plugin.name, hook, error)),
      };
      const before = new Set(this.hooks.onClose.taps);
      try {
        await plugin.apply(this, context);
      } catch (error) {
        // Its own close taps too: what it started before throwing must stop as well.
        this.#closeTaps.push({ plugin: plugin.name, taps: tapsAddedSince(this.hooks.onClose, before) });
        const failure = PluginError.from(plugin.name, 'apply', error);
        this.#closing ??= this.#shutDown(true);
        await this.#closing;
        throw failure;
      }
      this.#closeTaps.push({ plugin: plugin.name, taps: tapsAddedSince(this.hooks.onClose, before) });
      this.#plugins.set(plugin.name, plugin);
    }
  }

  /**
   * Sets how upstream TLS is verified for `https://` requests: extra CA certificates (PEM),
   * trusted on top of the system's, and whether to verify at all. Later calls replace earlier
   * ones; connections already pooled are closed so the change applies at once.
   */
  setUpstreamTls(options: UpstreamTlsOptions): void {
    this.#upstream.setTls(options);
  }

  /**
   * Opens a TCP connection to `hostname:port` the way the proxy reaches origins: directly, or
   * through the upstream proxy (`upstreamProxy`, unless `noProxy` names the host), for a plugin
   * that talks to an origin itself (e.g. a protocol probe). Rejects with the connect error, or
   * with an error whose `code` is `UPSTREAM_PROXY_FAILED` and whose message names the upstream
   * proxy without its credentials. The socket arrives paused; the caller owns it.
   */
  openUpstreamSocket(hostname: string, port: number): Promise<import('node:net').Socket> {
    return this.#upstream.openSocket(hostname, port, true);
  }

  /**
   * Opens the first TLS connection to an origin before its first request, as the proxy's own
   * upstream connections are made (the same trust and client certificate, directly or through
   * the upstream proxy, the address checked by `onUpstreamAddress`), offering h2 and HTTP/1.1,
   * and keeps it a few seconds for the origin's first request, which then does not wait for a
   * handshake of its own. Resolves with the protocol the origin chose (for the HTTPS plugin,
   * which offers its client the same); rejects as a request there would fail.
   */
  connectUpstreamAhead(hostname: string, port: number): Promise<AheadProtocol> {
    return this.#upstream.connectAhead(hostname, port);
  }

  /**
   * Calls `then` once every `onExchange` tap has settled for `exchange` (a returned promise
   * resolved or rejected), the later stages' taps included; call it from an `onExchange` tap,
   * else `then` is never called. Bodies are lent to the taps while they run: a tap that keeps
   * one for later copies it, except storage, which may from then on take a body that
   * `canHandOff` allows by transferring its `ArrayBuffer` (the body then reads as empty).
   */
  afterExchangeSettled(exchange: Exchange, then: () => void): void {
    this.#pipeline.afterSettled(exchange, then);
  }

  /** True when upstream TLS certificates are verified (see {@link CaptureProxy.setUpstreamTls}). */
  get upstreamTlsVerified(): boolean {
    return this.#upstream.tls.rejectUnauthorized;
  }

  /** How many client connections are open (tunnels and upgraded connections included). */
  get openConnections(): number {
    return this.#router.connections.size;
  }

  /** Where the proxy listens, once it does. */
  get listenInfo(): ListenInfo | undefined {
    return this.#listenInfo;
  }

  /**
   * Starts listening on the configured host and port, then runs `onListen`; resolves with the
   * address really bound. When binding or an `onListen` tap fails, the proxy closes (plugins get
   * `onClose`) before the promise rejects, so a failed start leaves nothing running.
   */
  async listen(): Promise<ListenInfo> {
    const { host, port } = this.config;
    try {
      const bound = await this.#router.listen(host, port);
      const reachableHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
      this.#listenInfo = { host, port: bound, url: `http://${formatAuthority(reachableHost, bound)}` };
      this.#router.local.listening(this.#listenInfo);
      const dataDirProblem = dataDirProblems.get(this);
      // Reported here, where hosts have tapped onError: createProxy found it before any plugin ran.
      if (dataDirProblem) this.#pipeline.report(new CaptureError('DATA_DIR_UNSAFE', dataDirProblem));
      await this.hooks.onListen.promise(this.#listenInfo);
      return this.#listenInfo;
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  /**
   * Tags whatever arrives with these proxy credentials (`Proxy-Authorization: Basic`, as in
   * `http://user:pass@127.0.0.1:5555`) with `source`, e.g. `run:npm` for `capture run`. Such
   * requests, upgrades and CONNECTs count as authenticated even when `auth` is configured, and
   * their `Proxy-Authorization` is consumed: never forwarded, never recorded. Returns the
   * function that removes the credentials again.
   */
  addClientSource(username: string, password: string, source: string): () => void {
    return this.#router.auth.addSource(username, password, source);
  }

  /**
   * Takes over a client connection that a plugin prepared, typically a TLS socket it terminated
   * after CONNECT: the proxy parses HTTP/1.1 from it and runs every request through the same
   * hooks, with URLs built from `target`.
   */
  handleConnection(socket: Duplex, target: ConnectionTarget): void {
    this.#router.connections.adopt(socket, this.#connectionTarget(target), target.client, target.source);
    this.#router.handOver(socket);
  }

  /**
   * Takes over a decrypted connection on which the client speaks HTTP/2 (TLS the plugin
   * terminated with ALPN `h2`): `node:http2` serves it, and each stream is one exchange through
   * the same hooks as HTTP/1.1 requests, with `request.httpVersion` `'2'` and the URL
   * `https://<:authority><:path>`.
   */
  handleHttp2Connection(socket: Duplex, target: ConnectionTarget): void {
    this.#router.connections.adopt(socket, this.#connectionTarget(target), target.client, target.source);
    this.#router.handOverHttp2(socket);
  }

  /**
   * The mode the proxy runs in, for banners and the web view: forward or reverse (and for which
   * origin), direct or through an upstream proxy (named without credentials).
   */
  get mode(): ProxyMode {
    const reverse = this.#router.reverse;
    const via = this.#upstream.routes.description;
    const base = reverse ? `reverse proxy for ${reverse.url}${this.config.reverseTls ? ' (HTTP and HTTPS)' : ''}` : 'forward proxy';
    return {
      kind: reverse ? 'reverse' : 'forward',
      ...(reverse ? { reverse: reverse.url } : {}),
      ...(via ? { upstreamProxy: via.replace(/^via upstream proxy /, '') } : {}),
      description: via ? `${base} ${via}` : base,
    };
  }

  /** A decrypted connection's target; one that stands for the reverse origin (`reverseTls`) is marked so, and an `http://` origin is reached in plain HTTP. */
  #connectionTarget(target: ConnectionTarget): ReturnType<typeof connectionTarget> {
    const result = connectionTarget(target);
    const reverse = this.#router.reverse;
    if (reverse && this.config.reverseTls && target.hostname.toLowerCase() === reverse.hostname.toLowerCase() && target.port === reverse.port) {
      result.reverse = true;
      if (!reverse.secure) Object.assign(result, { secure: false, clientTls: true, upstreamH2: false });
    }
    return result;
  }

  /**
   * Stops accepting connections, lets in-flight exchanges finish (at most `closeTimeout` ms),
   * closes every remaining connection, waits for `onExchange` taps to settle, then runs `onClose`.
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutDown(false);
    return this.#closing;
  }

  async #shutDown(failedStart: boolean): Promise<void> {
    const serverClosed = this.#router.stopAccepting();
    // Open WebSockets would keep whenIdle waiting: they are closed (1001) and complete now.
    this.#pipeline.closeUpgraded();
    await this.#pipeline.whenIdle(this.config.closeTimeout);
    this.#router.destroyConnections();
    await serverClosed;
    await this.#upstream.close();
    await this.#pipeline.whenSettled();
    if (failedStart) await closeInReverse(this.hooks.onClose, this.#closeTaps);
    else await this.hooks.onClose.promise();
  }
}

/**
 * Creates a proxy from a config: validates it, fills defaults and applies its plugins in order.
 * Call `listen()` on the result to start it. Rejects with a `PluginError` naming the plugin
 * whose `apply` failed, after closing the plugins applied before it.
 */
export async function createProxy(config: CaptureConfig = {}, options: { dataDir?: string; source?: string } = {}): Promise<CaptureProxy> {
  const resolved = resolveConfig(config, options.source);
  const proxy = new CaptureProxy(resolved, options.dataDir ? { dataDir: options.dataDir } : {});
  // The data folder is created private (0700) before any plugin writes into it; a folder that is
  // not private, or cannot be made, is reported once the proxy listens (plugins may not need it).
  const problem = await ensureDataDir(proxy.dataDir).then(
    (status) => status.warning,
    (error: Error) => `cannot create capture's data folder ${proxy.dataDir}: ${error.message}`,
  );
  if (problem) dataDirProblems.set(proxy, problem);
  await proxy.use(resolved.plugins);
  return proxy;
}

function connectionTarget(target: ConnectionTarget): NonNullable<SocketInfo['target']> {
  return { secure: target.secure, hostname: target.hostname, port: target.port, upstreamH2: target.upstreamProtocol === 'h2' };
}

/** What {@link createProxy} found wrong with a proxy's data folder, reported by `listen()`. */
const dataDirProblems = new WeakMap<CaptureProxy, string>();
