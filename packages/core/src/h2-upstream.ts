import type http2 from 'node:http2';
import { H2, loadHttp2 } from './lazy-http2.js';
import type { Readable } from 'node:stream';
import type { ResolvedConfig } from './config.js';
import type { HeaderList } from './exchange.js';
import tls from 'node:tls';
import type { UpstreamPool } from './upstream-pool.js';
import { aheadKey, serverNameOf } from './upstream-ahead.js';

/**
 * What an exchange gives an upstream to be driven by: undici's callback handler shape, which
 * {@link H2Sessions} drives too, so `http-exchange.ts` handles HTTP/1.1 and HTTP/2 origins alike.
 */
export interface UpstreamHandler {
  /** The request was handed to a connection; `abort` cancels it. */
  onConnect(abort: (error?: Error) => void): void;
  /**
   * The response head; returning false pauses the body until `resume` is called. `endStream`:
   * the head ended the stream (no body, no trailers: a gRPC trailers-only answer).
   */
  onHeaders(statusCode: number, rawHeaders: Array<Buffer | string>, resume: () => void, statusText: string, endStream?: boolean): boolean;
  /** A body chunk; returning false pauses the upstream until the handler's `resume`. */
  onData(chunk: Buffer): boolean;
  /** The body is complete; `trailers` flat `[name, value, …]` when the upstream sent any. */
  onComplete(trailers: Array<Buffer | string> | null): void;
  /** The upstream failed, before or during the response. */
  onError(error: Error): void;
}

/** One HTTP/2 request as the exchange hands it over. */
export interface H2Request {
  /** `https://host:port`. */
  origin: string;
  /** The path and query, as the client wrote them. */
  path: string;
  method: string;
  /** The forwarded headers, flat (hop-by-hop removed already); `Host` becomes `:authority`. */
  headers: string[];
  /** The request body, or null when there is none. */
  body: Readable | null;
  /** Trailers to send after the body, read once the body ended (the client's own). */
  trailers: () => HeaderList | undefined;
  /** True when the client asked for trailers (`TE: trailers`, as gRPC requires on HTTP/2). */
  wantsTrailers: boolean;
}

/** An error an upstream HTTP/2 stream ended with: a reset (`RST_STREAM`) or the session's end. */
export class StreamResetError extends Error {
  readonly code = 'STREAM_RESET';
  constructor(readonly rstCode: number) {
    super(`the origin reset the stream (HTTP/2 error code ${rstCode})`);
  }
}

/** Headers HTTP/2 forbids on the wire (RFC 9113 section 8.2.2) besides the hop-by-hop ones already gone. */
const NOT_ON_H2 = new Set(['host', 'http2-settings']);

/** Most origins kept with an open session; the least recently used is closed beyond it. */
const MAX_SESSIONS = 256;

/**
 * HTTP/2 sessions to origins, one per origin, reused by every exchange that goes there (h2
 * multiplexes, so one session serves concurrent streams). `node:http2` rather than undici's
 * `allowH2` (chosen by design, not measured): capture depends on no undici internals for h2, and
 * keeps full control of trailers (sent and received as the client's own) and `RST_STREAM` codes,
 * in the same Node http2 code the client side uses; HTTP/1.1 stays on undici's pool, untouched.
 * A session that closes, fails or gets GOAWAY is dropped; the next request opens a new one, the
 * streams in flight on the old one finish (GOAWAY) or fail with their own error.
 */
export class H2Sessions {
  readonly #config: ResolvedConfig;
  readonly #pool: Pick<UpstreamPool, 'tlsFor' | 'routes' | 'openSocket' | 'guard' | 'ahead'>;
  readonly #sessions = new Map<string, http2.ClientHttp2Session>();
  /** Sessions being opened through the upstream proxy (its tunnel first), shared by the requests that wait for them. */
  readonly #opening = new Map<string, Promise<http2.ClientHttp2Session>>();

  constructor(config: ResolvedConfig, pool: Pick<UpstreamPool, 'tlsFor' | 'routes' | 'openSocket' | 'guard' | 'ahead'>) {
    this.#config = config;
    this.#pool = pool;
  }

  /** How many sessions are open (tests: memory stays bounded). */
  get size(): number {
    return this.#sessions.size;
  }

  /** Sends one request on the origin's session, driving `handler`. Throws for headers HTTP/2 cannot carry. */
  dispatch(request: H2Request, handler: UpstreamHandler): void {
    const session = this.#session(request.origin);
    if (session instanceof Promise) {
      session.then(
        (opened) => {
          try {
            this.#send(opened, request, handler);
          } catch (error) {
            handler.onError(error as Error);
          }
        },
        (error: Error) => handler.onError(error),
      );
      return;
    }
    this.#send(session, request, handler);
  }

  #send(session: http2.ClientHttp2Session, request: H2Request, handler: UpstreamHandler): void {
    const headers: http2.OutgoingHttpHeaders = { ':method': request.method, ':path': request.path, ':scheme': 'https' };
    let authority = new URL(request.origin).host;
    const flat = request.headers;
    for (let i = 0; i + 1 < flat.length; i += 2) {
      const name = flat[i]!.toLowerCase();
      if (name === 'host') authority = flat[i + 1]!;
      if (NOT_ON_H2.has(name) || name.startsWith(':')) continue;
      const value = flat[i + 1]!;
      const known = headers[name];
      headers[name] = known === undefined ? value : Array.isArray(known) ? [...known, value] : [String(known), value];
    }
    headers[':authority'] = authority;
    if (request.wantsTrailers) headers.te = 'trailers';
    const hasBody = request.body !== null;
    const stream = session.request(headers, { endStream: !hasBody, waitForTrailers: hasBody });
    const timeout = this.#config.upstreamTimeout;
    let done = false;
    let paused = false;
    const fail = (error: Error) => {
      if (done) return;
      done = true;
      handler.onError(error);
    };
    handler.onConnect((error) => {
      if (done) return;
      done = true;
      stream.close(H2.CANCEL);
      void error;
    });
    stream.setTimeout(timeout, () => {
      const error = Object.assign(new Error(`upstream did not respond within ${timeout / 1000} s`), { code: 'UND_ERR_HEADERS_TIMEOUT' });
      fail(error);
      stream.close(H2.CANCEL);
    });
    const resume = () => {
      if (!paused) return;
      paused = false;
      stream.resume();
    };
    stream.on('response', (head: http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader, flags: number, rawHeaders: string[]) => {
      if (done) return;
      const status = Number(head[':status']);
      // Informational heads (103 Early Hints) are not forwarded: the exchange records the final one.
      if (status < 200) return;
      const raw = rawHeaders.filter((_value, index) => !(index % 2 === 0 && rawHeaders[index]!.startsWith(':')) && !(index % 2 === 1 && rawHeaders[index - 1]!.startsWith(':')));
      if (!handler.onHeaders(status, raw, resume, '', (flags & H2.FLAG_END_STREAM) !== 0)) {
        paused = true;
        stream.pause();
      }
      if (done) return;
      // The body is read only from here: Node emits 'response' a tick after the HEADERS frame,
      // but a DATA frame that came in the same read is pushed at once, so a 'data' listener
      // attached with the request would see the body before its head. Until this listener is
      // attached the stream is not flowing and buffers what arrives (within the h2 window);
      // when paused above, attaching it does not resume the stream.
      stream.on('data', (chunk: Buffer) => {
        if (done) return;
        if (!handler.onData(chunk) && !paused) {
          // Flow control: the origin's window stops growing while the client drains.
          paused = true;
          stream.pause();
        }
      });
    });
    let trailers: string[] | null = null;
    stream.on('trailers', (_head, _flags, rawTrailers: string[]) => {
      trailers = rawTrailers;
    });
    stream.on('end', () => {
      if (done) return;
      done = true;
      handler.onComplete(trailers);
    });
    // A session that never connected cancels its pending streams with the reason as `cause` (a refused address): report the reason.
    stream.on('error', (error: Error & { cause?: Error & { code?: string } }) => fail(error.cause?.code === 'ADDRESS_REFUSED' ? error.cause : error));
    stream.on('close', () => {
      if (stream.rstCode && stream.rstCode !== H2.NO_ERROR) fail(new StreamResetError(stream.rstCode));
      else fail(Object.assign(new Error('the origin closed the stream before the response was complete'), { code: 'ECONNRESET' }));
    });
    if (hasBody) {
      stream.on('wantTrailers', () => {
        const list = request.trailers();
        const out: http2.OutgoingHttpHeaders = {};
        for (const [name, value] of list ?? []) out[name.toLowerCase()] = value;
        stream.sendTrailers(out);
      });
      request.body!.on('error', () => stream.close(H2.CANCEL));
      // pipe keeps backpressure: a slow origin (its window full) pauses the client's body.
      request.body!.pipe(stream);
    }
  }

  /** Closes every session (in-flight streams are cut). */
  close(): void {
    for (const session of this.#sessions.values()) session.destroy();
    this.#sessions.clear();
    this.#opening.clear();
  }

  #session(origin: string): http2.ClientHttp2Session | Promise<http2.ClientHttp2Session> {
    const known = this.#sessions.get(origin);
    if (known && !known.closed && !known.destroyed) {
      // Most recently used last, so the oldest is the one dropped beyond MAX_SESSIONS.
      this.#sessions.delete(origin);
      this.#sessions.set(origin, known);
      return known;
    }
    const url = new URL(origin);
    const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    const port = Number(url.port) || 443;
    // The connection opened for this origin before its first request (the ALPN question), when there is one.
    const ahead = this.#pool.ahead.take(aheadKey(hostname, port), 'h2', serverNameOf(hostname));
    if (ahead) return this.#open(origin, hostname, undefined, port, ahead);
    if (!this.#pool.routes.for(hostname, port, true)) {
      // A literal is not looked up: checked here; a name is checked by the lookup the session connects with.
      const refused = this.#pool.guard.literalRefusal(hostname, port);
      if (refused) return Promise.reject(refused);
      return this.#open(origin, hostname, undefined, port);
    }
    let opening = this.#opening.get(origin);
    if (!opening) {
      // Through the upstream proxy: its tunnel first, then TLS (ALPN h2) over it.
      opening = this.#pool.openSocket(hostname, port, true).then(
        (socket) => {
          this.#opening.delete(origin);
          return this.#open(origin, hostname, socket, port);
        },
        (error: unknown) => {
          this.#opening.delete(origin);
          throw error;
        },
      );
      this.#opening.set(origin, opening);
    }
    return opening;
  }

  /** A session to `origin`: over `connected` when given (TLS done, h2 negotiated), else TLS over `tunnel`, else a new connection. */
  #open(origin: string, hostname: string, tunnel: import('node:net').Socket | undefined, port: number, connected?: tls.TLSSocket): http2.ClientHttp2Session {
    const trust = this.#pool.tlsFor(hostname);
    const tlsOptions = {
      rejectUnauthorized: trust.rejectUnauthorized,
      ...(trust.secureContext ? { secureContext: trust.secureContext } : {}),
    };
    const session = loadHttp2().connect(origin, {
      ...tlsOptions,
      ...(connected ? { createConnection: () => connected } : {}),
      ...(!connected && tunnel
        ? { createConnection: () => tls.connect({ ...tlsOptions, socket: tunnel, host: hostname, ALPNProtocols: ['h2'], ...(isIp(hostname) ? {} : { servername: hostname }) }) }
        : {}),
      ...(!connected && !tunnel && this.#pool.guard.active ? { lookup: this.#pool.guard.lookup(port) } : {}),
      maxHeaderListPairs: this.#config.maxHeaderCount + 8,
      settings: { maxHeaderListSize: Math.max(this.#config.maxHeaderSize, 64 * 1024) },
    });
    const forget = () => {
      if (this.#sessions.get(origin) === session) this.#sessions.delete(origin);
    };
    // A session's error is also each of its streams' error, reported by them.
    session.on('error', forget);
    session.on('close', forget);
    session.on('goaway', forget);
    // Idle sessions do not keep the process (or the origin) busy.
    session.setTimeout(4_000, () => {
      if (this.#sessions.get(origin) === session) this.#sessions.delete(origin);
      session.close();
    });
    this.#sessions.set(origin, session);
    if (this.#sessions.size > MAX_SESSIONS) {
      const [oldest, first] = this.#sessions.entries().next().value as [string, http2.ClientHttp2Session];
      this.#sessions.delete(oldest);
      first.close();
    }
    return session;
  }
}

function isIp(hostname: string): boolean {
  return /^[\d.]+$/.test(hostname) || hostname.includes(':');
}
