import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type http2 from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { H2 } from './lazy-http2.js';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { BodyCollector, declaredLength } from './body-capture.js';
import { getHeader, headerListFromRaw, headerListFromRawBuffers, requestHeaderListFromRaw, type ClientInfo, type Exchange, type ExchangeError, type HeaderList } from './exchange.js';
import { hasTaps, type MockResponse, type OutgoingRequest, type OutgoingResponse, type RequestContext, type ResponseContext } from './hooks.js';
import { requestHasBody, setHostHeader, toForwardedHeaders } from './headers.js';
import type { CapturePipeline } from './pipeline.js';
import type { UpstreamPool } from './upstream-pool.js';
import { classifyUpstreamError } from './upstream-errors.js';
import { isThenable, runSeries } from './tap-runner.js';
import { errorMessage, groupHeaders, hasHost, reasonAsOnTheWire, requestTarget, teeInto } from './http-forwarding.js';
import type { UpstreamHandler } from './h2-upstream.js';
import { noteForwarded } from './young-garbage.js';

/** A client's request as the exchange reads it: HTTP/1.x from `node:http`, or one HTTP/2 stream from `node:http2`'s compatibility API. */
export type ClientRequest = IncomingMessage | Http2ServerRequest;
/** The response to that client: the two differ only at the edges (status line, connection headers, resets). */
export type ClientResponse = ServerResponse | Http2ServerResponse;

/** Where an exchange goes and where it came from, as the router knows it. */
export interface ExchangeRoute {
  /** The absolute URL the client meant. */
  url: string;
  client: ClientInfo;
  /** True for decrypted TLS. */
  tls: boolean;
  /** See `Exchange.source`. */
  source: string;
  /** `host[:port]` known to speak HTTP/2 (the origin chose h2 in ALPN): requests to it go upstream over h2. */
  h2Host?: string;
  /** Reverse mode with `keepHost`: the client's `Host` goes upstream, not the origin's. */
  keepHost?: boolean;
}

/**
 * What a device is told when a plugin failed on its request: the plugin's own words (paths,
 * internals) go to `onError` and the exchange, never to the client.
 */
export const PLUGIN_FAILED_BODY = 'a plugin failed while handling this request';

/**
 * One HTTP exchange through the proxy, start to finish: open the exchange in the pipeline, run
 * `onRequest`, send the request upstream through the pool (or answer with a plugin's mock), run
 * `onResponse`, stream the response back, then complete the exchange in the pipeline. Bodies
 * stream end to end; capture only keeps references to chunks, up to `maxBodySize`.
 */
export class HttpExchange implements Dispatcher.DispatchHandler, UpstreamHandler {
  readonly #pipeline: CapturePipeline;
  readonly #upstream: UpstreamPool;
  readonly #req: ClientRequest;
  readonly #res: ClientResponse;
  /** True when the client speaks HTTP/2 on this stream. */
  readonly #h2Client: boolean;
  readonly #h2Host: string | undefined;
  readonly #keepHost: boolean;
  /** What the origin speaks, recorded as `response.httpVersion`. */
  #upstreamVersion = '1.1';
  readonly #started = performance.now();
  readonly #exchange: Exchange;
  #requestBody: BodyCollector | undefined;
  #responseBody: BodyCollector | undefined;
  #abort: ((error?: Error) => void) | undefined;
  #resume: (() => void) | undefined;
  #authority = '';
  #upstreamDone = false;
  #responseStarted = false;
  /** The upstream's head ended its response (no body, no trailers): an HTTP/2 client gets it as one HEADERS frame with END_STREAM. */
  #headOnly = false;
  #finished = false;

  constructor(pipeline: CapturePipeline, upstream: UpstreamPool, req: ClientRequest, res: ClientResponse, route: ExchangeRoute) {
    this.#pipeline = pipeline;
    this.#upstream = upstream;
    this.#req = req;
    this.#res = res;
    this.#h2Client = req.httpVersionMajor === 2;
    this.#h2Host = route.h2Host;
    this.#keepHost = route.keepHost === true;
    this.#exchange = pipeline.open(
      {
        method: req.method ?? 'GET',
        url: route.url,
        httpVersion: this.#h2Client ? '2' : req.httpVersion,
        headers: requestHeaderListFromRaw(req.rawHeaders),
      },
      route.client,
      route.tls,
      route.source,
    );
    res.on('close', this.#onClientResponseClosed);
  }

  /**
   * Runs the exchange. Never throws: every failure becomes an error response and an exchange
   * with `error`. Synchronous up to the dispatch when every `onRequest` tap is.
   */
  run(): void {
    const exchange = this.#exchange;
    const outgoing: OutgoingRequest = {
      method: exchange.request.method,
      url: exchange.request.url,
      headers: exchange.request.headers,
    };
    const onRequest = this.#pipeline.hooks.onRequest;
    if (!hasTaps(onRequest)) return this.#afterOnRequest(outgoing, undefined);
    // Plugins may rewrite the outgoing headers; keep the captured ones as the client sent them.
    outgoing.headers = exchange.request.headers.slice();
    const context: RequestContext = { exchange, outgoing, incoming: this.#req as IncomingMessage };
    let result: MockResponse | undefined | Promise<MockResponse | undefined>;
    try {
      result = runSeries<MockResponse>(onRequest, context, true);
    } catch (error) {
      return this.#pluginFailed(error);
    }
    if (!isThenable(result)) return this.#res.destroyed ? undefined : this.#afterOnRequest(outgoing, result);
    result.then((mock) => {
      if (!this.#res.destroyed) this.#afterOnRequest(outgoing, mock);
    }, this.#pluginFailed);
  }

  /** A tap of `onRequest` or `onResponse` failed: the client gets 502, the detail goes to `onError`. */
  readonly #pluginFailed = (error: unknown): void => {
    this.#failBeforeResponse(502, { code: 'PLUGIN_ERROR', message: errorMessage(error) }, PLUGIN_FAILED_BODY);
    this.#pipeline.report(error);
  };

  #afterOnRequest(outgoing: OutgoingRequest, mock: MockResponse | undefined): void {
    const exchange = this.#exchange;
    const config = this.#pipeline.config;
    const capturing = !exchange.skip && this.#pipeline.capturing;
    this.#requestBody = new BodyCollector(capturing ? config.maxBodySize : 0, declaredLength(this.#req.headers['content-length']));
    if (mock) {
      this.#req.on('data', this.#requestBody.push);
      this.#answerWithMock(mock);
      return;
    }
    this.#forward(outgoing);
  }

  #forward(outgoing: OutgoingRequest): void {
    let target: URL;
    try {
      target = new URL(outgoing.url);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error('unsupported scheme');
    } catch {
      this.#req.resume();
      this.#failBeforeResponse(400, { code: 'BAD_REQUEST', message: `cannot forward to "${outgoing.url}": not an http(s) URL` });
      return;
    }
    const { config } = this.#pipeline;
    const headers = toForwardedHeaders(outgoing.headers, { dropProxyAuthorization: true, dropExpect: true });
    if (!this.#keepHost || !hasHost(headers)) setHostHeader(headers, target.host);
    const hasBody = this.#h2Client ? !(this.#req as Http2ServerRequest).stream.endAfterHeaders : requestHasBody(this.#req.headers);
    if (this.#req.headers.expect?.toLowerCase() === '100-continue') {
      // The request head goes upstream at once; the client is then told to send its body (see README).
      this.#res.writeContinue();
    }
    this.#req.on('error', () => this.#abortUpstream());
    this.#authority = target.host;
    try {
      if (this.#h2Host !== undefined && target.protocol === 'https:' && target.host === this.#h2Host) {
        this.#upstreamVersion = '2';
        const req = this.#req;
        this.#upstream.h2.dispatch(
          {
            origin: target.origin,
            path: requestTarget(outgoing.url, target),
            method: outgoing.method,
            headers,
            body: hasBody ? teeInto(req, this.#requestBody!) : null,
            trailers: () => (req.rawTrailers.length ? headerListFromRaw(req.rawTrailers) : undefined),
            wantsTrailers: /\btrailers\b/i.test(String(req.headers.te ?? '')),
          },
          this,
        );
      } else this.#upstream.dispatch(
        {
          origin: target.origin,
          path: requestTarget(outgoing.url, target),
          method: outgoing.method,
          headers,
          body: hasBody ? teeInto(this.#req, this.#requestBody!) : null,
          headersTimeout: config.upstreamTimeout,
          bodyTimeout: config.upstreamTimeout,
        },
        this,
      );
    } catch (error) {
      // The dispatcher rejects what it cannot send (e.g. a header value with control characters).
      this.#req.resume();
      this.#failBeforeResponse(400, { code: 'BAD_REQUEST', message: `cannot forward this request: ${errorMessage(error)}` });
      return;
    }
    if (!hasBody) this.#req.resume();
  }

  // undici handler, in its callback form (onConnect/onHeaders/onData/onComplete/onError). The
  // controller form (onResponseStart, …) wraps every response to parse its headers into an
  // object this proxy never reads: measured 150 against 247 µs of CPU per exchange under load.

  /** undici handler: the request was handed to a connection; keep `abort` to cancel it. */
  onConnect(abort: (error?: Error) => void): void {
    this.#abort = abort;
    if (this.#finished) abort(new Error('the client went away'));
  }

  /** undici handler: the upstream's response head arrived. Returning false pauses the body. */
  onHeaders(statusCode: number, rawHeaders: Array<Buffer | string>, resume: () => void, statusText: string, endStream?: boolean): boolean {
    if (statusCode < 200) return true;
    this.#headOnly = endStream === true;
    // HTTP/2 has no reason phrase: the one Node's table gives is recorded, and none is sent.
    const statusMessage = this.#upstreamVersion === '2' ? (http.STATUS_CODES[statusCode] ?? '') : reasonAsOnTheWire(statusText);
    this.#resume = resume;
    const exchange = this.#exchange;
    const limit = this.#pipeline.config.maxHeaderCount;
    if (rawHeaders.length > limit * 2) {
      // Forwarding or recording part of the head would show the client a response nobody sent.
      this.#abortUpstream();
      const message = `the upstream response has ${rawHeaders.length / 2} header fields, more than maxHeaderCount (${limit}); capture forwards a head whole or not at all`;
      this.#failBeforeResponse(502, { code: 'UPSTREAM_BAD_RESPONSE', message });
      return false;
    }
    exchange.timings.firstByte = performance.now() - this.#started;
    const headers = headerListFromRawBuffers(rawHeaders);
    exchange.response = { statusCode, statusMessage, httpVersion: this.#upstreamVersion, headers };
    const onResponse = this.#pipeline.hooks.onResponse;
    if (!hasTaps(onResponse)) {
      this.#startResponse(statusCode, statusMessage, headers);
      return true;
    }
    const outgoing: OutgoingResponse = { statusCode, statusMessage, headers: headers.slice() };
    const context: ResponseContext = {
      exchange,
      outgoing,
      skipBody: (reason) => {
        exchange.response!.bodySkipped = reason;
      },
    };
    let ran: void | Promise<void>;
    try {
      ran = runSeries<void>(onResponse, context, false);
    } catch (error) {
      this.#abortUpstream();
      this.#pluginFailed(error);
      return false;
    }
    // Every tap synchronous: the body flows on without a pause.
    if (!isThenable(ran)) return this.#respondAfterHooks(outgoing);
    ran.then(
      () => {
        if (this.#respondAfterHooks(outgoing)) resume();
      },
      (error: unknown) => {
        this.#abortUpstream();
        this.#pluginFailed(error);
      },
    );
    return false;
  }

  /** Starts the response as `onResponse` left it; false when the client went away meanwhile. */
  #respondAfterHooks(outgoing: OutgoingResponse): boolean {
    if (this.#res.destroyed) {
      this.#abortUpstream();
      return false;
    }
    this.#startResponse(outgoing.statusCode, outgoing.statusMessage, outgoing.headers);
    return true;
  }

  /**
   * undici handler: a chunk of the response body. Backpressure: pause until the client drains,
   * when the chunk is still waiting in the response's buffer. `write()` answers false for any
   * chunk over the socket's 16 KiB high-water mark, even one the kernel took at once; pausing then
   * stopped and restarted the upstream read for every chunk of a download (two epoll_ctl calls,
   * undici's pause and resume, a `drain` listener each).
   */
  onData(chunk: Buffer): boolean {
    // undici's parser hands over an empty chunk beside most real ones; writing it cost a write call (and a syscall) each.
    if (chunk.length === 0) return true;
    this.#responseBody!.push(chunk);
    noteForwarded(chunk.length);
    if ((this.#res as ServerResponse).write(chunk) || this.#res.writableLength === 0) return true;
    this.#res.once('drain', this.#resume!);
    return false;
  }

  /** undici handler: the response body is complete, with the upstream's trailers if it sent any. */
  onComplete(trailers?: Array<Buffer | string> | null): void {
    this.#upstreamDone = true;
    if (trailers?.length && this.#exchange.response) {
      const list = headerListFromRawBuffers(trailers);
      this.#exchange.response.trailers = list;
      try {
        // HTTP/1.1 sends trailers only after a chunked body; Node leaves them out otherwise.
        if (this.#h2Client) (this.#res as Http2ServerResponse).addTrailers(Object.fromEntries(list.map(([name, value]) => [name.toLowerCase(), value])));
        else (this.#res as ServerResponse).addTrailers(list);
      } catch (error) {
        this.#exchange.error ??= { code: 'UPSTREAM_BAD_RESPONSE', message: `cannot forward the upstream's trailers: ${errorMessage(error)}` };
        this.#res.destroy();
        return;
      }
    }
    this.#res.end();
  }

  /** undici handler: the upstream failed (before or during the response). */
  onError(error: Error): void {
    // After our own abort (client gone, plugin failed) the error is ours, already handled.
    if (this.#upstreamDone) return;
    this.#upstreamDone = true;
    this.#onUpstreamError(error, this.#authority);
  }

  #startResponse(statusCode: number, statusMessage: string, headers: HeaderList): void {
    const exchange = this.#exchange;
    this.#responseStarted = true;
    this.#writeHead(statusCode, statusMessage, toForwardedHeaders(headers));
    const capturing = !exchange.skip && !exchange.response?.bodySkipped && this.#pipeline.capturing;
    this.#responseBody = new BodyCollector(capturing ? this.#pipeline.config.maxBodySize : 0, capturing ? declaredLength(getHeader(headers, 'content-length')) : undefined);
  }

  #abortUpstream(): void {
    if (this.#upstreamDone) return;
    this.#upstreamDone = true;
    this.#abort?.(new Error('the client went away'));
  }

  #onUpstreamError(error: Error, authority: string): void {
    if (this.#finished) return;
    const failure = classifyUpstreamError(error, authority, this.#pipeline.config.upstreamTimeout);
    if (this.#responseStarted) {
      this.#exchange.error ??= {
        code: failure.code === 'UPSTREAM_TIMEOUT' || failure.code === 'STREAM_RESET' ? failure.code : 'UPSTREAM_RESET',
        message: failure.code === 'UPSTREAM_TIMEOUT' ? failure.message : `upstream failed in the middle of the response body: ${failure.message}`,
      };
      this.#res.destroy();
      return;
    }
    this.#failBeforeResponse(failure.status, { code: failure.code, message: failure.message });
  }

  #answerWithMock(mock: MockResponse): void {
    const exchange = this.#exchange;
    exchange.mocked = true;
    exchange.timings.firstByte = performance.now() - this.#started;
    const headers: HeaderList = mock.headers ? mock.headers.slice() : [];
    const statusMessage = mock.statusMessage ?? http.STATUS_CODES[mock.statusCode] ?? '';
    const body = mock.body;
    if ((typeof body === 'string' || Buffer.isBuffer(body)) && !headers.some(([name]) => name.toLowerCase() === 'content-length')) {
      headers.push(['Content-Length', String(Buffer.byteLength(body))]);
    }
    exchange.response = { statusCode: mock.statusCode, statusMessage, httpVersion: '1.1', headers };
    const capturing = !exchange.skip && this.#pipeline.capturing;
    this.#responseBody = new BodyCollector(capturing ? this.#pipeline.config.maxBodySize : 0);
    this.#responseStarted = true;
    this.#req.resume();
    this.#writeHead(mock.statusCode, statusMessage, toForwardedHeaders(headers));
    if (body instanceof Readable) {
      body.on('data', this.#responseBody.push);
      body.on('error', () => this.#res.destroy());
      body.pipe(this.#res);
      return;
    }
    if (body !== undefined) {
      const bytes = typeof body === 'string' ? Buffer.from(body) : body;
      this.#responseBody.push(bytes);
      this.#res.end(bytes);
    } else this.#res.end();
  }

  /**
   * Answers with a short plain-text error when nothing of the response was sent yet: `clientText`
   * (default the error's message) for the device, the error itself for the exchange.
   */
  #failBeforeResponse(status: number, error: ExchangeError, clientText = error.message): void {
    const exchange = this.#exchange;
    exchange.error = error;
    if (this.#res.headersSent || this.#res.destroyed) {
      this.#res.destroy();
      return;
    }
    const body = `capture: ${clientText}\n`;
    const headers: HeaderList = [
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Content-Length', String(Buffer.byteLength(body))],
    ];
    // An unread request body would be taken for the next request: close instead of reusing (HTTP/1.1 only; an h2 stream ends alone).
    if (!this.#req.complete && !this.#h2Client) headers.push(['Connection', 'close']);
    exchange.response = { statusCode: status, statusMessage: http.STATUS_CODES[status] ?? '', httpVersion: '1.1', headers };
    this.#responseStarted = true;
    this.#writeHead(status, exchange.response.statusMessage, headers.flat());
    this.#res.end(body);
  }

  /**
   * Writes the response head. HTTP/1.1 gets the reason phrase as given, an empty one included
   * (an origin's `HTTP/1.1 200 ` must not become `200 OK`); HTTP/2 has none (and Node warns when
   * given one).
   */
  #writeHead(statusCode: number, statusMessage: string, flat: string[]): void {
    if (!this.#h2Client) {
      (this.#res as ServerResponse).writeHead(statusCode, statusMessage, flat);
      return;
    }
    const res = this.#res as Http2ServerResponse;
    if (!this.#headOnly) {
      res.writeHead(statusCode, flat as unknown as http2.OutgoingHttpHeaders);
      return;
    }
    // A head that ends the response must reach the client as one HEADERS frame with END_STREAM:
    // gRPC clients read a trailers-only answer's status only from such a frame. Staged, not sent,
    // the head goes out with the `end()` that follows, which sets END_STREAM on it.
    res.statusCode = statusCode;
    for (const [name, values] of groupHeaders(flat)) res.setHeader(name, values.length === 1 ? values[0]! : values);
  }

  readonly #onClientResponseClosed = (): void => {
    if (this.#finished) return;
    this.#finished = true;
    const exchange = this.#exchange;
    // An h2 stream the client reset may look finished to the compatibility API: its reset code says.
    const reset = this.#h2Client ? (this.#res as Http2ServerResponse).stream.rstCode : undefined;
    const clientReset = reset !== undefined && reset !== H2.NO_ERROR && !this.#upstreamDone;
    if (clientReset) {
      exchange.error ??= { code: 'STREAM_RESET', message: `the client reset the stream (HTTP/2 error code ${reset}) before the response was complete` };
      this.#abortUpstream();
    } else if (!this.#res.writableFinished) {
      exchange.error ??= { code: 'CLIENT_ABORTED', message: 'the client closed the connection before the response was complete' };
      this.#abortUpstream();
    }
    const rawTrailers = this.#req.rawTrailers;
    if (rawTrailers.length) exchange.request.trailers = headerListFromRaw(rawTrailers);
    exchange.timings.total = performance.now() - this.#started;
    exchange.sizes.requestBody = this.#requestBody?.size ?? 0;
    exchange.sizes.responseBody = this.#responseBody?.size ?? 0;
    this.#pipeline.complete(exchange, this.#requestBody, this.#responseBody);
  };
}
