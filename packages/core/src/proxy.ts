import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Dispatcher } from 'undici';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { isLocalNetworkAddress, normalizeAddress } from './access-control.js';
import type { BodyCollector } from './body-capture.js';
import { finishCapturedBody } from './body-capture.js';
import { resolveConfig, type CaptureConfig, type ResolvedConfig } from './config.js';
import { resolveDataDir } from './data-dir.js';
import { CaptureError, PluginError } from './errors.js';
import { getHeader, type CapturedBody, type ClientInfo, type Exchange } from './exchange.js';
import { createProxyHooks, type ConnectContext, type ListenInfo, type ProxyHooks } from './hooks.js';
import { HttpExchange } from './http-exchange.js';
import { writeInfoPage } from './local-page.js';
import { validatePlugins, type CapturePlugin, type PluginApiOf, type PluginContext } from './plugin.js';
import { createProxyAuthCheck, PROXY_AUTH_CHALLENGE } from './proxy-auth.js';
import { writeRawResponse } from './raw-response.js';
import type { ProxyRuntime, UpstreamTlsState } from './runtime.js';
import { getSocketInfo, setSocketInfo, type SocketInfo } from './socket-info.js';
import { formatAuthority } from './host-pattern.js';
import { CONNECT_ESTABLISHED, tunnel } from './tunnel.js';
import { forwardUpgrade } from './upgrade.js';
import { CORE_VERSION } from './version.js';

/**
 * The upstream connection pool: undici keeps connections alive per origin with no cap on their
 * number (a proxy must not queue one client behind another). undici measured about 40% faster
 * than Node's http.request under the benchmark's load.
 */
/** undici, loaded when the first proxy listens: commands such as `capture history list` never pay for it. */
let undici: typeof import('undici') | undefined;

function createDispatcher(config: ResolvedConfig, upstreamTls: UpstreamTlsState): Dispatcher {
  return new undici!.Agent({
    connections: null,
    pipelining: 1,
    keepAliveTimeout: 4_000,
    headersTimeout: config.upstreamTimeout,
    bodyTimeout: config.upstreamTimeout,
    connect: {
      rejectUnauthorized: upstreamTls.rejectUnauthorized,
      ...(upstreamTls.secureContext ? { secureContext: upstreamTls.secureContext } : {}),
      timeout: Math.min(config.upstreamTimeout, 30_000),
    },
  });
}

/**
 * One TLS context trusting the system's roots, `NODE_EXTRA_CA_CERTS` and `extra`. Built once:
 * passing a CA list per connection instead would make OpenSSL parse ~150 certificates for every
 * new upstream connection.
 */
function trustStoreWith(extra: Array<string | Buffer>): tls.SecureContext {
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
  return tls.createSecureContext({ ca });
}

/** How the proxy verifies upstream TLS; see {@link CaptureProxy.setUpstreamTls}. */
export interface UpstreamTlsOptions {
  /** Extra trusted CA certificates (PEM), added to the system's. */
  ca?: Array<string | Buffer>;
  /** Verify upstream certificates. Default true. */
  rejectUnauthorized?: boolean;
}

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
}

/**
 * The capture proxy: an HTTP/1.1 forward proxy whose behaviour plugins extend through
 * {@link CaptureProxy.hooks}. Create one with {@link createProxy}.
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

  readonly #server: http.Server;
  readonly #runtime: ProxyRuntime;
  readonly #plugins = new Map<string, CapturePlugin>();
  readonly #sockets = new Set<Duplex>();
  #pendingEmits = 0;
  #emitWaiters: Array<() => void> = [];
  readonly #ownHostnames = new Set<string>();
  #inFlight = 0;
  #idleWaiters: Array<() => void> = [];
  #nextId = 1;
  #listenInfo: ListenInfo | undefined;
  #closing: Promise<void> | undefined;
  #headSweep: NodeJS.Timeout | undefined;

  /** Prefer {@link createProxy}, which also applies the config's plugins. */
  constructor(config: ResolvedConfig, options: { dataDir?: string } = {}) {
    this.config = config;
    this.dataDir = options.dataDir ?? resolveDataDir({ dataDir: config.dataDir });
    this.#runtime = {
      config,
      hooks: this.hooks,
      dispatcher: undefined,
      upstreamTls: { secureContext: undefined, rejectUnauthorized: config.rejectUnauthorized },
      checkAuth: config.auth ? createProxyAuthCheck(config.auth) : undefined,
      nextExchangeId: () => this.#nextId++,
      exchangeStarted: () => {
        this.#inFlight++;
      },
      exchangeFinished: (exchange, requestBody, responseBody) => this.#emitExchange(exchange, requestBody, responseBody),
      reportError: (error) => this.#reportError(error),
    };
    this.#server = http.createServer({
      maxHeaderSize: config.maxHeaderSize,
      headersTimeout: config.headersTimeout,
      // Long uploads and downloads are normal through a proxy; only silence is limited.
      requestTimeout: 0,
      keepAliveTimeout: config.keepAliveTimeout,
      // Node enforces headersTimeout on this period (30 s by default): check often enough that a
      // slow client is cut close to the configured time.
      connectionsCheckingInterval: Math.min(1_000, config.headersTimeout),
      noDelay: true,
      requireHostHeader: false,
    });
    this.#server.on('connection', this.#onConnection);
    this.#server.on('request', this.#onRequest);
    // Handling Expect: 100-continue ourselves lets the upstream decide whether the body is wanted.
    this.#server.on('checkContinue', this.#onRequest);
    this.#server.on('connect', this.#onConnect);
    this.#server.on('upgrade', this.#onUpgrade);
    this.#server.on('clientError', this.#onClientError);
  }

  /** The plugins applied to this proxy, in order. */
  get plugins(): CapturePlugin[] {
    return [...this.#plugins.values()];
  }

  /** Finds an applied plugin by name, e.g. to use the API it publishes (`proxy.plugin('https')?.api`). */
  plugin<Name extends string>(name: Name): CapturePlugin<PluginApiOf<Name>> | undefined {
    return this.#plugins.get(name) as CapturePlugin<PluginApiOf<Name>> | undefined;
  }

  /** Applies plugins in order (each plugin's `apply` awaited). Errors name the plugin. */
  async use(plugins: readonly CapturePlugin[]): Promise<void> {
    validatePlugins([...this.#plugins.values(), ...plugins], CORE_VERSION);
    for (const plugin of plugins) {
      const context: PluginContext = {
        name: plugin.name,
        report: (error, hook = 'apply') => this.#reportError(PluginError.from(plugin.name, hook, error)),
      };
      try {
        await plugin.apply(this, context);
      } catch (error) {
        throw PluginError.from(plugin.name, 'apply', error);
      }
      this.#plugins.set(plugin.name, plugin);
    }
  }

  /**
   * Sets how upstream TLS is verified for `https://` requests: extra CA certificates (PEM),
   * trusted on top of the system's, and whether to verify at all. Later calls replace earlier
   * ones; connections already pooled are closed so the change applies at once.
   */
  setUpstreamTls(options: UpstreamTlsOptions): void {
    const previous = this.#runtime.dispatcher;
    this.#runtime.upstreamTls = {
      secureContext: options.ca?.length ? trustStoreWith(options.ca) : undefined,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    };
    if (!previous) return;
    this.#runtime.dispatcher = createDispatcher(this.config, this.#runtime.upstreamTls);
    void previous.close().catch(() => undefined);
  }

  /** True when upstream TLS certificates are verified (see {@link CaptureProxy.setUpstreamTls}). */
  get upstreamTlsVerified(): boolean {
    return this.#runtime.upstreamTls.rejectUnauthorized;
  }

  /** How many client connections are open (tunnels and upgraded connections included). */
  get openConnections(): number {
    return this.#sockets.size;
  }

  /** Where the proxy listens, once it does. */
  get listenInfo(): ListenInfo | undefined {
    return this.#listenInfo;
  }

  /** Starts listening on the configured host and port; resolves with the address really bound. */
  async listen(): Promise<ListenInfo> {
    const { host, port } = this.config;
    undici ??= await import('undici');
    this.#runtime.dispatcher ??= createDispatcher(this.config, this.#runtime.upstreamTls);
    await new Promise<void>((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        this.#server.off('listening', onListening);
        if (error.code === 'EADDRINUSE') reject(new CaptureError('PORT_IN_USE', `port ${port} on ${host} is already in use (choose another with --port)`, { cause: error }));
        else reject(new CaptureError('LISTEN_FAILED', `cannot listen on ${host}:${port}: ${error.message}`, { cause: error }));
      };
      const onListening = () => {
        this.#server.off('error', onError);
        resolve();
      };
      this.#server.once('error', onError);
      this.#server.once('listening', onListening);
      this.#server.listen(port, host);
    });
    this.#headSweep = setInterval(this.#cutSlowHeads, Math.max(50, Math.min(1_000, this.config.headersTimeout / 4)));
    this.#headSweep.unref();
    const bound = this.#server.address() as AddressInfo;
    const reachableHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    this.#listenInfo = { host, port: bound.port, url: `http://${formatAuthority(reachableHost, bound.port)}` };
    this.#collectOwnHostnames(host);
    await this.hooks.onListen.promise(this.#listenInfo);
    return this.#listenInfo;
  }

  /**
   * Takes over a client connection that a plugin prepared, typically a TLS socket it terminated
   * after CONNECT: the proxy parses HTTP/1.1 from it and runs every request through the same
   * hooks, with URLs built from `target`.
   */
  handleConnection(socket: Duplex, target: ConnectionTarget): void {
    const peer = target.client ?? { address: normalizeAddress((socket as net.Socket).remoteAddress), port: (socket as net.Socket).remotePort ?? 0 };
    setSocketInfo(socket, {
      client: peer,
      allowed: true,
      preauthenticated: true,
      target: { secure: target.secure, hostname: target.hostname, port: target.port },
      ...idleState(socket),
    });
    this.#server.emit('connection', socket);
  }

  /**
   * Stops accepting connections, lets in-flight exchanges finish (at most `closeTimeout` ms),
   * closes every remaining connection, waits for `onExchange` taps to settle, then runs `onClose`.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /**
   * Cuts connections that take longer than `headersTimeout` to send a request head (slowloris).
   * Node's own headersTimeout check proved unreliable once other connections came and went, so
   * the proxy sweeps its connections itself; idle keep-alive connections are left to
   * `keepAliveTimeout`.
   */
  readonly #cutSlowHeads = (): void => {
    const now = performance.now();
    const limit = this.config.headersTimeout;
    for (const socket of this.#sockets) {
      const info = getSocketInfo(socket);
      if (!info || info.detached || info.inFlight > 0 || now - info.idleSince < limit) continue;
      if (((socket as net.Socket).bytesRead ?? 0) === info.bytesAtIdle) continue;
      writeRawResponse(socket, 408, `request head not received within ${limit / 1000} s`);
      socket.destroy();
    }
  };

  async #close(): Promise<void> {
    if (this.#headSweep) clearInterval(this.#headSweep);
    const serverClosed = new Promise<void>((resolve) => {
      if (!this.#server.listening) return resolve();
      this.#server.close(() => resolve());
    });
    this.#server.closeIdleConnections();
    if (this.#inFlight > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.config.closeTimeout);
        this.#idleWaiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    for (const socket of this.#sockets) socket.destroy();
    this.#server.closeAllConnections();
    await serverClosed;
    await this.#runtime.dispatcher?.destroy().catch(() => undefined);
    if (this.#pendingEmits > 0) await new Promise<void>((resolve) => this.#emitWaiters.push(resolve));
    await this.hooks.onClose.promise();
  }

  readonly #onConnection = (socket: net.Socket): void => {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    if (getSocketInfo(socket)) return;
    const address = normalizeAddress(socket.remoteAddress);
    setSocketInfo(socket, {
      client: { address, port: socket.remotePort ?? 0 },
      allowed: this.config.allowPublicClients || isLocalNetworkAddress(address),
      preauthenticated: false,
      ...idleState(socket),
    });
  };

  readonly #onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket;
    const info = getSocketInfo(socket)!;
    info.inFlight++;
    res.once('close', () => {
      if (--info.inFlight === 0) {
        info.idleSince = performance.now();
        info.bytesAtIdle = socket.bytesRead ?? 0;
      }
    });
    if (!info.allowed) return this.#refusePublicClient(res, info);
    const rawUrl = req.url ?? '/';
    let url: string;
    if (info.target) {
      url = `${info.target.secure ? 'https' : 'http'}://${formatAuthority(info.target.hostname, info.target.port)}${rawUrl}`;
    } else if (rawUrl.startsWith('http://') || rawUrl.startsWith('https://')) {
      url = rawUrl;
      if (this.#isOwnAddress(rawUrl)) return void this.#serveLocal(req, res);
    } else {
      return void this.#serveLocal(req, res);
    }
    if (!info.preauthenticated && this.#runtime.checkAuth && !this.#runtime.checkAuth(req.headers['proxy-authorization'])) {
      res.writeHead(407, { 'Proxy-Authenticate': PROXY_AUTH_CHALLENGE, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('capture: proxy authentication required\n');
      req.resume();
      return;
    }
    void new HttpExchange(this.#runtime, req, res, url, info.client, info.target?.secure ?? false).run();
  };

  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    this.#trackDetached(socket);
    const info = getSocketInfo(req.socket)!;
    info.detached = true;
    if (!info.allowed) return writeRawResponse(socket, 403, publicClientMessage(info));
    const rawUrl = req.url ?? '/';
    const url = info.target
      ? `${info.target.secure ? 'https' : 'http'}://${formatAuthority(info.target.hostname, info.target.port)}${rawUrl}`
      : rawUrl;
    if (!info.target && !/^(https?|wss?):\/\//.test(rawUrl)) {
      return writeRawResponse(socket, 400, 'upgrade requests to the proxy itself are not supported');
    }
    if (!info.preauthenticated && this.#runtime.checkAuth && !this.#runtime.checkAuth(req.headers['proxy-authorization'])) {
      return writeRawResponse(socket, 407, 'proxy authentication required', [`Proxy-Authenticate: ${PROXY_AUTH_CHALLENGE}`]);
    }
    forwardUpgrade(this.#runtime, req, socket, head, url, info.client, info.target?.secure ?? false);
  };

  readonly #onConnect = async (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> => {
    this.#trackDetached(socket);
    socket.on('error', () => socket.destroy());
    const info = getSocketInfo(req.socket)!;
    info.detached = true;
    if (!info.allowed) return writeRawResponse(socket, 403, publicClientMessage(info));
    if (!info.preauthenticated && this.#runtime.checkAuth && !this.#runtime.checkAuth(req.headers['proxy-authorization'])) {
      return writeRawResponse(socket, 407, 'proxy authentication required', [`Proxy-Authenticate: ${PROXY_AUTH_CHALLENGE}`]);
    }
    const authority = parseAuthority(req.url ?? '');
    if (!authority) return writeRawResponse(socket, 400, `CONNECT needs host:port, got "${req.url ?? ''}"`);
    let accepted = false;
    const timeout = this.config.upstreamTimeout;
    const context: ConnectContext = {
      request: req,
      hostname: authority.hostname,
      port: authority.port,
      client: info.client,
      accept: () => {
        if (!accepted) {
          accepted = true;
          socket.write(CONNECT_ESTABLISHED);
          if (head.length) socket.unshift(head);
        }
        return socket;
      },
      refuse: (status, message) => {
        if (accepted) socket.destroy();
        else writeRawResponse(socket, status, message);
      },
      tunnel: (accepted_socket = socket) => {
        tunnel(accepted_socket, authority.hostname, authority.port, { established: accepted, timeout });
      },
    };
    if (this.hooks.onConnect.isUsed()) {
      try {
        if (await this.hooks.onConnect.promise(context)) return;
      } catch (error) {
        this.#reportError(error);
        if (accepted) return void socket.destroy();
        return writeRawResponse(socket, 502, error instanceof Error ? error.message : String(error));
      }
    }
    if (socket.destroyed) return;
    if (!accepted && head.length) socket.unshift(head);
    context.tunnel();
  };

  readonly #onClientError = (error: Error & { code?: string }, socket: Duplex): void => {
    const code = error.code ?? '';
    if ((!code.startsWith('HPE_') && code !== 'ERR_HTTP_REQUEST_TIMEOUT') || code === 'HPE_INVALID_EOF_STATE') {
      // Resets, idle timeouts and clients hanging up mid-message are not requests to answer;
      // an exchange in progress on the socket reports the abort itself.
      socket.destroy();
      return;
    }
    if ((socket as Duplex & { _httpMessage?: unknown })._httpMessage) {
      // A request on this socket is in flight (its body was malformed, e.g. a bad chunk size):
      // answering here would interleave with its response, so cut the connection as Node's own
      // default handler does; the exchange in flight reports the failure.
      socket.destroy();
      return;
    }
    const tooLarge = code === 'HPE_HEADER_OVERFLOW';
    const timedOut = code === 'HPE_HEADERS_TIMEOUT' || code === 'ERR_HTTP_REQUEST_TIMEOUT';
    const status = tooLarge ? 431 : timedOut ? 408 : 400;
    const message = tooLarge
      ? `request head larger than ${this.config.maxHeaderSize} bytes`
      : timedOut
        ? `request head not received within ${this.config.headersTimeout / 1000} s`
        : `malformed request (${code})`;
    writeRawResponse(socket, status, message);
    const info = getSocketInfo(socket);
    if (timedOut || !info?.allowed) return;
    const exchange: Exchange = {
      id: this.#nextId++,
      client: info.client,
      tls: info.target?.secure ?? false,
      request: { method: '', url: '', httpVersion: '1.1', headers: [] },
      response: { statusCode: status, statusMessage: http.STATUS_CODES[status] ?? '', httpVersion: '1.1', headers: [] },
      error: { code: tooLarge ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST', message },
      timings: { startedAt: Date.now(), total: 0 },
      sizes: { requestBody: 0, responseBody: 0 },
      mocked: false,
      meta: {},
    };
    this.#inFlight++;
    this.#emitExchange(exchange, undefined, undefined);
  };

  async #serveLocal(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const path = (req.url ?? '/').replace(/^https?:\/\/[^/]*/, '') || '/';
    const url = new URL(path, this.#listenInfo?.url ?? 'http://127.0.0.1');
    try {
      if (this.hooks.onLocalRequest.isUsed() && (await this.hooks.onLocalRequest.promise({ request: req, response: res, url }))) return;
    } catch (error) {
      this.#reportError(error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`capture: ${error instanceof Error ? error.message : String(error)}\n`);
      return;
    }
    if (url.pathname !== '/') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`capture: nothing at ${url.pathname} on the proxy itself; this proxy forwards absolute URLs (http://host/path)\n`);
      return;
    }
    writeInfoPage(res, {
      version: this.version,
      address: `${req.headers.host ?? this.#listenInfo?.url ?? ''}`,
      links: this.hooks.onInfoPage.call([]),
      wantsHtml: (req.headers.accept ?? '').includes('text/html'),
      head: req.method === 'HEAD',
    });
  }

  #refusePublicClient(res: ServerResponse, info: SocketInfo): void {
    res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
    res.end(`capture: ${publicClientMessage(info)}\n`);
  }

  #isOwnAddress(absoluteUrl: string): boolean {
    if (!this.#listenInfo) return false;
    let parsed: URL;
    try {
      parsed = new URL(absoluteUrl);
    } catch {
      return false;
    }
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
    if (port !== this.#listenInfo.port) return false;
    const hostname = parsed.hostname.startsWith('[') ? parsed.hostname.slice(1, -1) : parsed.hostname;
    return this.#ownHostnames.has(hostname.toLowerCase());
  }

  #collectOwnHostnames(host: string): void {
    const names = this.#ownHostnames;
    for (const name of ['localhost', '127.0.0.1', '::1', os.hostname().toLowerCase(), host.toLowerCase()]) names.add(name);
    if (host === '0.0.0.0' || host === '::') {
      names.add('0.0.0.0');
      for (const addresses of Object.values(os.networkInterfaces())) {
        for (const address of addresses ?? []) names.add(address.address.toLowerCase());
      }
    }
  }

  #trackDetached(socket: Duplex): void {
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
  }

  #emitExchange(exchange: Exchange, requestBody: BodyCollector | undefined, responseBody: BodyCollector | undefined): void {
    if (--this.#inFlight === 0 && this.#idleWaiters.length) {
      for (const wake of this.#idleWaiters.splice(0)) wake();
    }
    if (exchange.skip) {
      try {
        this.hooks.onSkipped.call(exchange);
      } catch (error) {
        this.#reportError(error);
      }
      return;
    }
    if (!this.hooks.onExchange.isUsed()) return;
    this.#pendingEmits++;
    const finish = () => {
      if (--this.#pendingEmits === 0) for (const wake of this.#emitWaiters.splice(0)) wake();
    };
    const fail = (error: unknown) => {
      this.#reportError(error);
      finish();
    };
    const limit = this.config.maxBodySize;
    const response = exchange.response;
    let requestCaptured: CapturedBody | Promise<CapturedBody> | undefined;
    let responseCaptured: CapturedBody | Promise<CapturedBody> | undefined;
    try {
      if (limit > 0 && requestBody && requestBody.size > 0) {
        requestCaptured = finishCapturedBody(requestBody, getHeader(exchange.request.headers, 'content-encoding'), limit);
      }
      if (limit > 0 && response && responseBody && responseBody.size > 0 && !response.bodySkipped) {
        responseCaptured = finishCapturedBody(responseBody, getHeader(response.headers, 'content-encoding'), limit);
      }
    } catch (error) {
      return fail(error);
    }
    const emit = (requestCapture?: CapturedBody, responseCapture?: CapturedBody) => {
      if (requestCapture) exchange.request.body = requestCapture;
      if (responseCapture && response) response.body = responseCapture;
      this.hooks.onExchange.promise(exchange).then(finish, fail);
    };
    if (requestCaptured instanceof Promise || responseCaptured instanceof Promise) {
      // Compressed bodies decode on the thread pool first; plain ones skip the extra await.
      void Promise.all([requestCaptured, responseCaptured]).then(([a, b]) => emit(a, b), fail);
    } else emit(requestCaptured, responseCaptured);
  }

  #reportError(error: unknown): void {
    const wrapped = error instanceof CaptureError ? error : new CaptureError('INTERNAL', error instanceof Error ? error.message : String(error), { cause: error });
    try {
      this.hooks.onError.call(wrapped);
    } catch {
      // An error reporter that throws has nowhere left to report to.
    }
  }
}

/** A connection's idle bookkeeping as it starts: idle now, nothing read yet. */
function idleState(socket: Duplex): Pick<SocketInfo, 'inFlight' | 'idleSince' | 'bytesAtIdle' | 'detached'> {
  return { inFlight: 0, idleSince: performance.now(), bytesAtIdle: (socket as net.Socket).bytesRead ?? 0, detached: false };
}

function publicClientMessage(info: SocketInfo): string {
  return `clients from public address ${info.client.address} are refused; set allowPublicClients: true to serve them`;
}

/** Parses a CONNECT target `host:port` (IPv6 in brackets). */
function parseAuthority(authority: string): { hostname: string; port: number } | undefined {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^\s:/[\]]+)):(\d{1,5})$/.exec(authority);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { hostname: (match[1] ?? match[2])!, port };
}

/**
 * Creates a proxy from a config: validates it, fills defaults and applies its plugins in order.
 * Call `listen()` on the result to start it.
 */
export async function createProxy(config: CaptureConfig = {}, options: { dataDir?: string; source?: string } = {}): Promise<CaptureProxy> {
  const resolved = resolveConfig(config, options.source);
  const proxy = new CaptureProxy(resolved, options.dataDir ? { dataDir: options.dataDir } : {});
  await proxy.use(resolved.plugins);
  return proxy;
}
