import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type http2 from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse, Http2Session } from 'node:http2';
import { H2, loadHttp2 } from './lazy-http2.js';
import type { AddressInfo } from 'node:net';
import type net from 'node:net';
import type { Duplex } from 'node:stream';
import type { ResolvedConfig } from './config.js';
import { CaptureError } from './errors.js';
import { handleConnect, type PlainHttpHandOver } from './connect.js';
import { clientTls, publicClientMessage, reverseOrigin, type ReverseOrigin, SILENT_REPLY, socksConnectReply, syntheticConnect, TLS_HANDSHAKE, upstreamH2Host, writeProxyAuthRequired } from './router-parts.js';
import { socksAuthority, socksHandshake } from './socks-handshake.js';
import { Connections } from './connections.js';
import { requestHeaderListFromRaw } from './exchange.js';
import { HttpExchange, type ExchangeRoute } from './http-exchange.js';
import { http2Bridge } from './h2-socket.js';
import { forwardHttp2WebSocket } from './h2-websocket.js';
import { LocalRequests } from './local-requests.js';
import type { CapturePipeline } from './pipeline.js';
import { PROXY_AUTH_CHALLENGE, ProxyAuthenticator } from './proxy-auth.js';
import { writeRawResponse } from './raw-response.js';
import { getSocketInfo, type SocketInfo } from './socket-info.js';
import { targetUrl, withoutDefaultPort } from './target-url.js';
import { formatAuthority } from './host-pattern.js';
import { readRequestLine, recordRefusal, tooManyHeadersMessage } from './refused-heads.js';
import type { UpstreamPool } from './upstream-pool.js';
import { forwardUpgrade } from './upgrade.js';

/**
 * The socket layer: Node's HTTP server and what arrives on it. Every request, upgrade and
 * CONNECT passes the same two gates (the client's address, then proxy authentication) and is
 * routed: local requests to {@link LocalRequests}, proxied ones to an {@link HttpExchange} (or
 * `upgrade.ts`, `connect.ts`), which complete in the {@link CapturePipeline}. Nothing flows back.
 */
export class Router {
  /** The client connections, for counting and closing. */
  readonly connections: Connections;
  /** Requests to the proxy itself. */
  readonly local: LocalRequests;
  readonly #config: ResolvedConfig;
  readonly #pipeline: CapturePipeline;
  readonly #upstream: UpstreamPool;
  readonly #server: http.Server;
  /** Serves decrypted HTTP/2 connections; created with the first one. */
  #h2Server: http2.Http2Server | undefined;
  /** The HTTP/2 sessions open, with the connection each rides on: GOAWAY on close, routing of their streams. */
  readonly #h2Sessions = new Map<Http2Session, SocketInfo>();
  /** The one proxy-authentication gate: `auth` and the credentials registered with a source. */
  readonly auth: ProxyAuthenticator;
  /** Reverse mode: the origin capture's port stands in for. */
  readonly reverse: ReverseOrigin | undefined;
  /** Node's HTTP parsing of a connection (the server's own connection listener). */
  readonly #parseHttp: (socket: Duplex) => void;

  constructor(pipeline: CapturePipeline, upstream: UpstreamPool, version: string) {
    const config = pipeline.config;
    this.#config = config;
    this.#pipeline = pipeline;
    this.#upstream = upstream;
    this.auth = new ProxyAuthenticator(config.auth);
    this.reverse = config.reverse ? reverseOrigin(config.reverse) : undefined;
    this.connections = new Connections(config);
    this.local = new LocalRequests(pipeline.hooks, version, pipeline.report);
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
    // Node keeps only the first ~1000 header fields and drops the rest silently; capture counts
    // them itself (maxHeaderCount) and refuses a head it cannot forward and record whole.
    this.#server.maxHeadersCount = 0;
    // Every connection's first bytes are looked at before Node's HTTP parser gets it (SOCKS,
    // and TLS in reverse mode, share the port): the server's own connection listener is taken
    // off and called for connections that speak HTTP.
    const [parseHttp] = this.#server.listeners('connection') as Array<(socket: Duplex) => void>;
    this.#parseHttp = (socket) => parseHttp!.call(this.#server, socket);
    this.#server.removeAllListeners('connection');
    this.#server.on('connection', this.#onConnection);
    this.#server.on('request', this.#onRequest);
    // Handling Expect: 100-continue ourselves lets the upstream decide whether the body is wanted.
    this.#server.on('checkContinue', this.#onRequest);
    this.#server.on('connect', this.#onConnect);
    this.#server.on('upgrade', this.#onUpgrade);
    this.#server.on('clientError', this.#onClientError);
  }

  /** Binds the server; resolves with the port really bound. Errors say which address was taken. */
  async listen(host: string, port: number): Promise<number> {
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
    this.connections.start();
    return (this.#server.address() as AddressInfo).port;
  }

  /** Parses HTTP from a connection a plugin prepared, as if the server had accepted it. */
  handOver(socket: Duplex): void {
    this.#server.emit('connection', socket);
  }

  /**
   * Serves HTTP/2 from a connection a plugin prepared (TLS it terminated, ALPN `h2`): each
   * stream is one exchange, through the same {@link HttpExchange} as HTTP/1.1 requests. The
   * socket must have been adopted (`connections.adopt`) so its streams know their target.
   */
  handOverHttp2(socket: Duplex): void {
    const info = getSocketInfo(socket)!;
    // Its own protocol: not swept for slow HTTP/1.1 heads (h2 has its own settings and timeout).
    info.detached = true;
    this.connections.track(socket);
    const server = (this.#h2Server ??= this.#createHttp2Server());
    // The server makes the session synchronously from the 'connection' event: catch it to tag it.
    const tag = (session: Http2Session) => {
      this.#h2Sessions.set(session, info);
      session.once('close', () => this.#h2Sessions.delete(session));
      session.setTimeout(this.#config.keepAliveTimeout, () => session.close());
    };
    server.once('session', tag);
    server.emit('connection', http2Bridge(socket));
    server.off('session', tag);
  }

  #createHttp2Server(): http2.Http2Server {
    const config = this.#config;
    const server = loadHttp2().createServer({
      // Pseudo-headers count as pairs too; beyond maxHeaderCount the request is answered 431 below.
      maxHeaderListPairs: config.maxHeaderCount + 8,
      // enableConnectProtocol: clients may open WebSockets as streams (RFC 8441).
      settings: { maxConcurrentStreams: config.maxConcurrentStreams, maxHeaderListSize: config.maxHeaderSize, enableConnectProtocol: true },
    });
    server.on('request', this.#onHttp2Request);
    // node:http2 hands CONNECT streams (RFC 8441 among them) to 'connect', else answers 405.
    server.on('connect', this.#onHttp2Request);
    // Broken sessions and streams end alone: each exchange records its own failure.
    server.on('sessionError', () => undefined);
    return server;
  }

  readonly #onHttp2Request = (req: Http2ServerRequest, res: Http2ServerResponse): void => {
    const info = this.#h2Sessions.get(req.stream.session!);
    // A stream's own errors (a reset mid-body) are the exchange's to record, on 'close'. A
    // protocol error (nghttp2 treats streams beyond maxConcurrentStreams as one) leaves the
    // session unable to read: it is ended so the client sees it, instead of waiting forever.
    req.stream.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_HTTP2_ERROR') req.stream.session?.destroy();
    });
    if (!info?.target) return void req.stream.close(H2.INTERNAL_ERROR);
    const target = info.target;
    const path = req.url;
    // RFC 8441: an extended CONNECT (`:protocol`) is a WebSocket handshake over this stream.
    const extendedConnect = req.method === 'CONNECT' && req.headers[':protocol'] !== undefined;
    if ((req.method === 'CONNECT' && !extendedConnect) || !path?.startsWith('/')) {
      res.writeHead(501, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('capture: CONNECT and non-path targets inside HTTP/2 are not supported\n');
      req.resume();
      return;
    }
    const authority = req.authority;
    // The URL as the client meant it: `https://<:authority><:path>` (`http://` for cleartext h2), else the connection's target.
    const scheme = target.secure ? 'https' : 'http';
    // An `:authority` naming capture itself inside a tunnel (grpc-js with `grpc.http_connect_target`
    // sends the proxy's address) means the CONNECT target: forwarding it would loop back here.
    const ownAuthority = authority !== undefined && this.local.isOwnAddress(`${scheme}://${authority}/`);
    const url = authority && !target.reverse && !ownAuthority ? withoutDefaultPort(`${scheme}://${authority.toLowerCase()}${path}`) : targetUrl(target, path);
    const route: ExchangeRoute = { url, client: info.client, tls: clientTls(info), source: info.source };
    if (target.reverse && this.#config.keepHost) route.keepHost = true;
    const h2Host = upstreamH2Host(target);
    if (h2Host) route.h2Host = h2Host;
    // Pseudo-headers are not fields: the count is the one HTTP/1.1 requests are held to.
    // node:http2 advertises maxHeaderListSize but does not enforce it: the list is measured here
    // as RFC 9113 counts it (name, value and 32 bytes per field), as HTTP/1.1 heads are by the parser.
    // One pass over the head for both limits.
    let fields = 0;
    let listSize = 0;
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i]!;
      if (name.charCodeAt(0) !== 58) fields++;
      listSize += name.length + req.rawHeaders[i + 1]!.length + 32;
    }
    if (listSize > this.#config.maxHeaderSize) {
      const message = `request header list larger than ${this.#config.maxHeaderSize} bytes`;
      res.writeHead(431, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`capture: ${message}\n`);
      req.resume();
      const request = { method: req.method, url, httpVersion: '2', headers: requestHeaderListFromRaw(req.rawHeaders) };
      recordRefusal(this.#pipeline, request, info, info.source, 431, { code: 'HEADERS_TOO_LARGE', message });
      return;
    }
    if (fields > this.#config.maxHeaderCount) {
      const message = tooManyHeadersMessage(fields, this.#config.maxHeaderCount);
      res.writeHead(431, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(`capture: ${message}\n`);
      req.resume();
      const request = { method: req.method, url, httpVersion: '2', headers: requestHeaderListFromRaw(req.rawHeaders) };
      recordRefusal(this.#pipeline, request, info, info.source, 431, { code: 'HEADERS_TOO_LARGE', message });
      return;
    }
    if (extendedConnect) return forwardHttp2WebSocket(this.#pipeline, this.#upstream, req, route);
    void new HttpExchange(this.#pipeline, this.#upstream, req, res, route).run();
  };

  /** A tunnel that carries plain HTTP/1.x or cleartext HTTP/2: served like a decrypted connection, so its requests are captured. */
  readonly #handOverPlain: PlainHttpHandOver = (socket, target, client, source, http2) => {
    this.connections.adopt(socket, target, client, source);
    if (http2) return this.handOverHttp2(socket);
    this.handOver(socket);
    // The tunnel paused it to peek at its first bytes, which wait in its buffer for the parser.
    socket.resume();
  };

  /** Opens a CONNECT tunnel's upstream connection: direct, or through the upstream proxy. */
  readonly #openTunnel = (hostname: string, port: number) => this.#upstream.openSocket(hostname, port, true);

  /** Stops accepting and closes idle keep-alive connections; resolves once the server closed. */
  stopAccepting(): Promise<void> {
    this.connections.stop();
    // GOAWAY: the streams in flight finish, no new ones start.
    for (const session of this.#h2Sessions.keys()) session.close();
    const closed = new Promise<void>((resolve) => {
      if (!this.#server.listening) return resolve();
      this.#server.close(() => resolve());
    });
    this.#server.closeIdleConnections();
    return closed;
  }

  /** Cuts every connection still open (after the close timeout). */
  destroyConnections(): void {
    this.connections.destroyAll();
    this.#server.closeAllConnections();
  }

  readonly #onConnection = (socket: net.Socket): void => {
    const handedOver = getSocketInfo(socket) !== undefined;
    const info = this.connections.accept(socket);
    // Decrypted or tunnelled connections a plugin or the router prepared speak HTTP.
    if (handedOver || !socket.writable) return this.#parseHttp(socket);
    // Until the first bytes say which protocol, nobody else listens: a hang-up or reset ends it here.
    const onGone = () => {
      socket.off('data', onFirst);
      socket.destroy();
    };
    const onFirst = (chunk: Buffer) => {
      socket.off('end', onGone);
      socket.off('error', onGone);
      socket.pause();
      socket.unshift(chunk);
      const first = chunk[0];
      if (first === 0x05 || first === 0x04) return void this.#serveSocks(socket, info);
      if (first === TLS_HANDSHAKE && this.reverse && this.#config.reverseTls) return this.#serveReverseTls(socket, info);
      this.#parseHttp(socket);
      socket.resume();
    };
    socket.once('data', onFirst);
    socket.once('end', onGone);
    socket.once('error', onGone);
  };

  /**
   * Reverse mode with `reverseTls`: a TLS ClientHello on the port is a CONNECT to the reverse
   * origin nobody had to send, so the https plugin's `onConnect` terminates it with a
   * certificate for the origin's name, unchanged; without such a tap it is tunnelled blindly.
   */
  #serveReverseTls(socket: net.Socket, info: SocketInfo): void {
    info.detached = true;
    socket.on('error', () => socket.destroy());
    if (!info.allowed) return void socket.destroy();
    const authority = formatAuthority(this.reverse!.hostname, this.reverse!.port);
    void handleConnect(this.#pipeline, syntheticConnect(socket, authority), socket, Buffer.alloc(0), info, info.source, this.#handOverPlain, this.#openTunnel, SILENT_REPLY);
  }

  /**
   * A SOCKS5 or SOCKS4a client: its handshake (`socks-handshake.ts`), then its CONNECT gets
   * exactly the path of an HTTP CONNECT (`onConnect`, interception, passthrough, plain HTTP and
   * h2 recognised in the tunnel), answered in SOCKS replies.
   */
  async #serveSocks(socket: net.Socket, info: SocketInfo): Promise<void> {
    info.detached = true;
    socket.on('error', () => socket.destroy());
    const request = await socksHandshake(socket, {
      authRequired: this.auth.required,
      authenticate: (username, password) => {
        const header = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
        const source = this.auth.sourceFor(header);
        if (source !== undefined) return source;
        return this.auth.accepts(header) ? '' : undefined;
      },
      timeout: this.#config.headersTimeout,
    });
    if (!request) return;
    const reply = socksConnectReply(request.version);
    if (!info.allowed) return reply.refuse(socket, 403, publicClientMessage(info));
    const req = syntheticConnect(socket, socksAuthority(request));
    void handleConnect(this.#pipeline, req, socket, Buffer.alloc(0), info, request.source ?? info.source, this.#handOverPlain, this.#openTunnel, reply);
  }

  readonly #onRequest = (req: IncomingMessage, res: ServerResponse): void => {
    const socket = req.socket;
    // Ended already (refused over the per-client cap): nothing may be forwarded or answered.
    if (!socket.writable) return void socket.destroy();
    const info = getSocketInfo(socket)!;
    this.connections.requestStarted(info, socket, res);
    if (!info.allowed) {
      res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      res.end(`capture: ${publicClientMessage(info)}\n`);
      return;
    }
    const rawUrl = req.url ?? '/';
    let url: string;
    if (info.target) url = targetUrl(info.target, rawUrl);
    // The scheme is case-insensitive (RFC 9110 section 4.2.3): `HTTP://host/` is a proxy request too.
    else if (/^https?:\/\//i.test(rawUrl)) {
      // Recorded with the scheme in lower case, as URLs are everywhere else.
      const schemeEnd = rawUrl.indexOf(':');
      url = withoutDefaultPort(rawUrl.slice(0, schemeEnd).toLowerCase() + rawUrl.slice(schemeEnd));
      if (this.local.isOwnAddress(rawUrl)) return void this.local.serve(req, res);
    } else if (this.reverse) return this.#forwardReverse(req, res, info, rawUrl);
    else return void this.local.serve(req, res);
    const source = this.#authenticate(req, info);
    if (source === undefined) {
      res.writeHead(407, { 'Proxy-Authenticate': PROXY_AUTH_CHALLENGE, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('capture: proxy authentication required\n');
      req.resume();
      return;
    }
    if (req.rawHeaders.length > this.#config.maxHeaderCount * 2) return this.#refuseHeaderCount(req, res, url, info, source);
    const route: ExchangeRoute = { url, client: info.client, tls: clientTls(info), source };
    const h2Host = info.target && upstreamH2Host(info.target);
    if (h2Host) route.h2Host = h2Host;
    if (info.target?.reverse && this.#config.keepHost) route.keepHost = true;
    void new HttpExchange(this.#pipeline, this.#upstream, req, res, route).run();
  };

  /**
   * Reverse mode: a request in origin form goes to the reverse origin, recorded with its URL.
   * Proxy authentication does not apply (clients of an origin send none).
   */
  #forwardReverse(req: IncomingMessage, res: ServerResponse, info: SocketInfo, path: string): void {
    const url = targetUrl(this.reverse!, path);
    if (req.rawHeaders.length > this.#config.maxHeaderCount * 2) return this.#refuseHeaderCount(req, res, url, info, info.source);
    const route: ExchangeRoute = { url, client: info.client, tls: false, source: info.source, keepHost: this.#config.keepHost };
    void new HttpExchange(this.#pipeline, this.#upstream, req, res, route).run();
  }

  readonly #onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (!socket.writable) return void socket.destroy();
    const info = this.#detach(req, socket);
    if (!info.allowed) return writeRawResponse(socket, 403, publicClientMessage(info));
    const rawUrl = req.url ?? '/';
    const absolute = /^(https?|wss?):\/\//.test(rawUrl);
    if (!info.target && !absolute && this.reverse) {
      const url = targetUrl(this.reverse, rawUrl);
      if (req.rawHeaders.length > this.#config.maxHeaderCount * 2) return this.#refuseHeaderCount(req, socket, url, info, info.source);
      return forwardUpgrade(this.#pipeline, this.#upstream, req, socket, head, url, info.client, false, info.source, this.#config.keepHost);
    }
    if (!info.target && !absolute) {
      return writeRawResponse(socket, 400, 'upgrade requests to the proxy itself are not supported');
    }
    const source = this.#authenticate(req, info);
    if (source === undefined) return writeProxyAuthRequired(socket);
    const url = info.target ? targetUrl(info.target, rawUrl) : withoutDefaultPort(rawUrl);
    if (req.rawHeaders.length > this.#config.maxHeaderCount * 2) return this.#refuseHeaderCount(req, socket, url, info, source);
    const keepHost = info.target?.reverse === true && this.#config.keepHost;
    forwardUpgrade(this.#pipeline, this.#upstream, req, socket, head, url, info.client, clientTls(info), source, keepHost);
  };

  readonly #onConnect = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (!socket.writable) return void socket.destroy();
    const info = this.#detach(req, socket);
    socket.on('error', () => socket.destroy());
    if (!info.allowed) return writeRawResponse(socket, 403, publicClientMessage(info));
    const source = this.#authenticate(req, info);
    if (source === undefined) return writeProxyAuthRequired(socket);
    if (req.rawHeaders.length > this.#config.maxHeaderCount * 2) return this.#refuseHeaderCount(req, socket, req.url ?? '', info, source);
    void handleConnect(this.#pipeline, req, socket, head, info, source, this.#handOverPlain, this.#openTunnel);
  };

  readonly #onClientError = (error: Error & { code?: string; rawPacket?: Buffer }, socket: Duplex): void => {
    const code = error.code ?? '';
    if (!socket.writable) {
      // Answered already: the rest of an oversized head fails again in every later chunk.
      socket.destroy();
      return;
    }
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
      ? `request head larger than ${this.#config.maxHeaderSize} bytes`
      : timedOut
        ? `request head not received within ${this.#config.headersTimeout / 1000} s`
        : `malformed request (${code})`;
    writeRawResponse(socket, status, message);
    const info = getSocketInfo(socket);
    if (timedOut || !info?.allowed) return;
    // A head that never parsed is still one exchange, with the request line as far as it was read.
    const { method, url } = readRequestLine(error.rawPacket, info.target);
    const request = { method, url, httpVersion: '1.1', headers: [] };
    recordRefusal(this.#pipeline, request, info, info.source, status, { code: tooLarge ? 'HEADERS_TOO_LARGE' : 'BAD_REQUEST', message });
  };

  /** Answers 431 to a head with more header fields than `maxHeaderCount`, recorded whole, never forwarded. */
  #refuseHeaderCount(req: IncomingMessage, reply: ServerResponse | Duplex, url: string, info: SocketInfo, source: string): void {
    const message = tooManyHeadersMessage(req.rawHeaders.length / 2, this.#config.maxHeaderCount);
    if (reply instanceof http.ServerResponse) {
      reply.writeHead(431, { 'Content-Type': 'text/plain; charset=utf-8', Connection: 'close' });
      reply.end(`capture: ${message}\n`);
      req.resume();
    } else writeRawResponse(reply, 431, message);
    const request = { method: req.method ?? '', url, httpVersion: req.httpVersion, headers: requestHeaderListFromRaw(req.rawHeaders) };
    recordRefusal(this.#pipeline, request, info, source, 431, { code: 'HEADERS_TOO_LARGE', message });
  }

  /**
   * The one proxy-authentication check, for requests, upgrades and CONNECTs alike: the source of
   * what the client sends (the one registered for its credentials, else the connection's), or
   * undefined when it must be answered 407.
   */
  #authenticate(req: IncomingMessage, info: SocketInfo): string | undefined {
    if (info.preauthenticated) return info.source;
    const header = req.headers['proxy-authorization'];
    if (header !== undefined) {
      const source = this.auth.sourceFor(header);
      if (source !== undefined) return source;
    }
    return this.auth.accepts(header) ? info.source : undefined;
  }

  /** A socket that leaves HTTP parsing (tunnel, WebSocket): tracked on its own, never swept for slow heads. */
  #detach(req: IncomingMessage, socket: Duplex): SocketInfo {
    this.connections.track(socket);
    const info = getSocketInfo(req.socket)!;
    info.detached = true;
    return info;
  }
}
