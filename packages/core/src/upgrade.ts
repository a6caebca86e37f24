import http, { type IncomingMessage } from 'node:http';
import { Readable, type Duplex } from 'node:stream';
import { BodyCollector } from './body-capture.js';
import { getHeader, headerListFromRaw, requestHeaderListFromRaw, type ClientInfo, type Exchange, type HeaderList } from './exchange.js';
import { toForwardedHeaders } from './headers.js';
import { hasTaps, type MockResponse, type OutgoingRequest, type OutgoingResponse, type RequestContext, type ResponseContext, type UpgradedConnection } from './hooks.js';
import { http1UpgradeClient, type UpgradeClient } from './upgrade-client.js';
import { openUpgradeRequest } from './upgrade-request.js';
import type { CapturePipeline } from './pipeline.js';
import type { UpstreamPool } from './upstream-pool.js';
import { classifyUpstreamError, UpstreamTimeoutError } from './upstream-errors.js';
import type { WebSocketRecord } from './record/websocket-record.js';

/** How long a spliced connection may take to close after capture ended it on `proxy.close()` (ms). */
const SPLICE_CLOSE_GRACE = 1_000;

/** What the client is told when a plugin failed on an upgrade (the detail goes to `onError`). */
const PLUGIN_FAILED_BODY = 'a plugin failed while handling this request';

/**
 * Forwards an `Upgrade` request (WebSocket) as an exchange: `onRequest` runs (filters may mark it
 * skipped, a plugin may answer it with a mock), the origin's answer runs `onResponse`. A non-101
 * answer is an ordinary exchange with its body. After a 101 the exchange stays open: an
 * `onUpgraded` tap (the WebSocket plugin) may take both sockets and complete it with its record,
 * else the sockets are spliced and the exchange completes when they close. Skipped upgrades are
 * spliced without `onUpgraded`: forwarded, not recorded.
 */
export function forwardUpgrade(
  pipeline: CapturePipeline,
  upstream: UpstreamPool,
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: string,
  client: ClientInfo,
  tls: boolean,
  source: string,
  keepHost = false,
): void {
  const exchange = pipeline.open(
    { method: req.method ?? 'GET', url, httpVersion: req.httpVersion, headers: requestHeaderListFromRaw(req.rawHeaders) },
    client,
    tls,
    source,
  );
  runUpgrade(pipeline, upstream, http1UpgradeClient(req, socket, head), exchange, keepHost);
}

/**
 * Runs an upgrade whose exchange is open, for any client side (an HTTP/1.1 socket, an RFC 8441
 * stream): `onRequest`, the origin's HTTP/1.1 upgrade, `onResponse`, then `onExchangeOpened` and
 * `onUpgraded` after a 101. Never throws.
 */
export function runUpgrade(pipeline: CapturePipeline, upstream: UpstreamPool, client: UpgradeClient, exchange: Exchange, keepHost: boolean): void {
  void new Upgrade(pipeline, upstream, client, exchange, keepHost).run();
}

/** One upgrade, from the request to the end of the connection. */
class Upgrade {
  readonly #started = performance.now();
  #done = false;
  #untrack: (() => void) | undefined;
  #responseBody: BodyCollector | undefined;
  private readonly socket: Duplex;
  private readonly head: Buffer;

  constructor(
    private readonly pipeline: CapturePipeline,
    private readonly upstream: UpstreamPool,
    private readonly client: UpgradeClient,
    private readonly exchange: Exchange,
    private readonly keepHost: boolean,
  ) {
    this.socket = client.socket;
    this.head = client.head;
    const socket = this.socket;
    socket.on('close', () => {
      if (this.#done) return;
      // Before the 101 the client gave up; after it, a tap's relay or the splice completes.
      if (!this.exchange.response || this.exchange.response.statusCode !== 101) {
        this.exchange.error ??= { code: 'CLIENT_ABORTED', message: 'the client closed the connection during the upgrade' };
        this.#finish();
      }
    });
    // An error always ends in 'close', which completes the exchange.
    socket.on('error', () => undefined);
  }

  /** Runs the upgrade. Never throws: every failure is answered and recorded. */
  async run(): Promise<void> {
    const { exchange } = this;
    const { hooks } = this.pipeline;
    const outgoing: OutgoingRequest = { method: exchange.request.method, url: exchange.request.url, headers: exchange.request.headers };
    let mock: MockResponse | undefined;
    if (hasTaps(hooks.onRequest)) {
      outgoing.headers = exchange.request.headers.slice();
      const context: RequestContext = { exchange, outgoing, incoming: this.client.incoming };
      try {
        mock = await hooks.onRequest.promise(context);
      } catch (error) {
        this.#fail(502, 'PLUGIN_ERROR', errorMessage(error), PLUGIN_FAILED_BODY);
        this.pipeline.report(error);
        return;
      }
      if (this.#done || this.socket.destroyed) return;
    }
    if (mock) return this.#answerWithMock(mock);
    this.#forward(outgoing);
  }

  #forward(outgoing: OutgoingRequest): void {
    const { exchange, socket } = this;
    const { config } = this.pipeline;
    let target: URL;
    try {
      target = new URL(outgoing.url);
      if (!/^(https?|wss?):$/.test(target.protocol)) throw new Error('unsupported scheme');
    } catch {
      return this.#fail(400, 'BAD_REQUEST', `cannot forward to "${outgoing.url}"`);
    }
    const opened = openUpgradeRequest(this.upstream, target, outgoing, this.keepHost);
    if ('refused' in opened) return this.#fail(403, 'ADDRESS_REFUSED', opened.refused);
    const { request: upstreamRequest, authority } = opened;
    upstreamRequest.setTimeout(config.upstreamTimeout, () => upstreamRequest.destroy(new UpstreamTimeoutError(config.upstreamTimeout)));
    const abort = (): void => void upstreamRequest.destroy();
    socket.on('close', abort);
    upstreamRequest.on('upgrade', (response, upstreamSocket, upstreamHead) => {
      socket.off('close', abort);
      void this.#upgraded(response, upstreamSocket, upstreamHead);
    });
    upstreamRequest.on('response', (response) => void this.#declined(response));
    upstreamRequest.on('error', (error) => {
      if (this.#done || this.exchange.response) return;
      const failure = classifyUpstreamError(error, authority);
      this.#fail(failure.status, failure.code, failure.message);
    });
    upstreamRequest.end();
  }

  /** Runs `onResponse` on the origin's head; false when a tap failed (answered 502 and recorded). */
  async #runOnResponse(outgoing: OutgoingResponse): Promise<boolean> {
    const onResponse = this.pipeline.hooks.onResponse;
    if (!hasTaps(onResponse)) return true;
    const exchange = this.exchange;
    const context: ResponseContext = {
      exchange,
      outgoing,
      skipBody: (reason) => {
        exchange.response!.bodySkipped = reason;
      },
    };
    try {
      await onResponse.promise(context);
      return true;
    } catch (error) {
      this.#fail(502, 'PLUGIN_ERROR', errorMessage(error), PLUGIN_FAILED_BODY);
      this.pipeline.report(error);
      return false;
    }
  }

  async #upgraded(response: IncomingMessage, upstreamSocket: Duplex & { setNoDelay?(noDelay: boolean): void; setTimeout?(ms: number): void }, upstreamHead: Buffer): Promise<void> {
    const { exchange, socket } = this;
    exchange.timings.firstByte = performance.now() - this.#started;
    const headers = headerListFromRaw(response.rawHeaders);
    exchange.response = {
      statusCode: response.statusCode ?? 101,
      statusMessage: response.statusMessage ?? 'Switching Protocols',
      httpVersion: response.httpVersion,
      headers,
      bodySkipped: 'upgrade',
    };
    upstreamSocket.setTimeout?.(0);
    upstreamSocket.setNoDelay?.(true);
    // Until a relay or the splice owns them, either side closing ends the other.
    const closeOther = (): void => void upstreamSocket.destroy();
    socket.once('close', closeOther);
    upstreamSocket.on('error', () => undefined);
    const outgoing: OutgoingResponse = { statusCode: exchange.response.statusCode, statusMessage: exchange.response.statusMessage, headers: headers.slice() };
    if (!(await this.#runOnResponse(outgoing))) return void upstreamSocket.destroy();
    if (socket.destroyed) {
      upstreamSocket.destroy();
      exchange.error ??= { code: 'CLIENT_ABORTED', message: 'the client closed the connection during the upgrade' };
      return this.#finish();
    }
    this.client.switched(outgoing.statusCode, outgoing.statusMessage, toForwardedHeaders(outgoing.headers, { keepUpgrade: true }));
    // Until a tap registers its own, closing the proxy ends both sockets.
    let closeForProxy = (): void => {
      socket.end();
      upstreamSocket.end();
      setTimeout(() => {
        socket.destroy();
        upstreamSocket.destroy();
      }, SPLICE_CLOSE_GRACE).unref();
    };
    this.#untrack = this.pipeline.trackUpgraded(() => closeForProxy());
    if (!exchange.skip) this.pipeline.opened(exchange);
    const onUpgraded = this.pipeline.hooks.onUpgraded;
    if (!exchange.skip && hasTaps(onUpgraded)) {
      const connection: UpgradedConnection = {
        exchange,
        client: socket,
        upstream: upstreamSocket,
        clientHead: this.head,
        upstreamHead,
        extensions: getHeader(headers, 'sec-websocket-extensions'),
        complete: (websocket: WebSocketRecord) => {
          exchange.websocket = websocket;
          this.#finish();
        },
        onProxyClose: (close) => {
          closeForProxy = close;
        },
      };
      let taken: true | undefined;
      try {
        taken = await onUpgraded.promise(connection);
      } catch (error) {
        exchange.error = { code: 'PLUGIN_ERROR', message: errorMessage(error) };
        socket.destroy();
        upstreamSocket.destroy();
        this.pipeline.report(error);
        return this.#finish();
      }
      if (taken) {
        socket.off('close', closeOther);
        return;
      }
    }
    this.#splice(upstreamSocket, upstreamHead);
  }

  /** Pipes both sockets into each other; the exchange completes once both have closed. */
  #splice(upstreamSocket: Duplex, upstreamHead: Buffer): void {
    const { socket } = this;
    if (upstreamHead.length) socket.write(upstreamHead);
    if (this.head.length) upstreamSocket.write(this.head);
    upstreamSocket.pipe(socket);
    socket.pipe(upstreamSocket);
    upstreamSocket.on('close', () => socket.destroy());
    let open = 2;
    const closed = (): void => {
      if (--open === 0) this.#finish();
    };
    for (const side of [socket, upstreamSocket]) {
      if (side.destroyed) queueMicrotask(closed);
      else side.once('close', closed);
    }
  }

  /** The origin declined the upgrade: an ordinary exchange, its body relayed (and captured), then close. */
  async #declined(response: IncomingMessage): Promise<void> {
    const { exchange, socket } = this;
    exchange.timings.firstByte = performance.now() - this.#started;
    const headers = headerListFromRaw(response.rawHeaders);
    exchange.response = { statusCode: response.statusCode ?? 502, statusMessage: response.statusMessage ?? '', httpVersion: response.httpVersion, headers };
    const outgoing: OutgoingResponse = { statusCode: exchange.response.statusCode, statusMessage: exchange.response.statusMessage, headers: headers.slice() };
    if (!(await this.#runOnResponse(outgoing))) return void response.destroy();
    if (socket.destroyed) return void response.destroy();
    // The body is relayed as it comes and the stream closed after it: no length to keep.
    const forwarded = toForwardedHeaders(outgoing.headers).filter((_, index, all) => {
      const name = (index % 2 === 0 ? all[index] : all[index - 1])!.toLowerCase();
      return name !== 'content-length';
    });
    this.client.respond(outgoing.statusCode, outgoing.statusMessage, forwarded);
    const capturing = !exchange.skip && !exchange.response.bodySkipped && this.pipeline.capturing;
    const body = new BodyCollector(capturing ? this.pipeline.config.maxBodySize : 0);
    this.#responseBody = body;
    response.on('data', (chunk: Buffer) => {
      exchange.sizes.responseBody += chunk.length;
      body.push(chunk);
    });
    response.pipe(socket);
    response.on('end', () => this.#finish());
    response.on('error', () => {
      exchange.error ??= { code: 'UPSTREAM_RESET', message: 'the upstream closed the connection mid-response' };
      socket.destroy();
      this.#finish();
    });
  }

  /** A plugin answered the upgrade itself: an ordinary (mocked) exchange, then close. */
  #answerWithMock(mock: MockResponse): void {
    const { exchange, socket } = this;
    exchange.mocked = true;
    exchange.timings.firstByte = performance.now() - this.#started;
    const headers: HeaderList = (mock.headers ?? []).filter(([name]) => name.toLowerCase() !== 'content-length');
    const statusMessage = mock.statusMessage ?? http.STATUS_CODES[mock.statusCode] ?? '';
    exchange.response = { statusCode: mock.statusCode, statusMessage, httpVersion: '1.1', headers };
    const capturing = !exchange.skip && this.pipeline.capturing;
    const body = new BodyCollector(capturing ? this.pipeline.config.maxBodySize : 0);
    this.#responseBody = body;
    const bytes = typeof mock.body === 'string' ? Buffer.from(mock.body) : Buffer.isBuffer(mock.body) ? mock.body : undefined;
    if (bytes) headers.push(['Content-Length', String(bytes.length)]);
    this.client.respond(mock.statusCode, statusMessage, toForwardedHeaders(headers));
    const stream = mock.body instanceof Readable ? mock.body : Readable.from(bytes ? [bytes] : []);
    stream.on('data', (chunk: Buffer) => {
      exchange.sizes.responseBody += chunk.length;
      body.push(chunk);
    });
    stream.on('error', () => socket.destroy());
    stream.on('end', () => this.#finish());
    stream.pipe(socket);
  }

  /** Answers with a short error when nothing was sent yet, and completes the exchange. */
  #fail(status: number, code: NonNullable<Exchange['error']>['code'], message: string, clientText = message): void {
    this.exchange.error = { code, message };
    this.exchange.response = { statusCode: status, statusMessage: http.STATUS_CODES[status] ?? '', httpVersion: '1.1', headers: [] };
    this.client.refuse(status, clientText);
    this.#finish();
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#untrack?.();
    // For an upgraded connection this is its whole duration.
    this.exchange.timings.total = performance.now() - this.#started;
    this.pipeline.complete(this.exchange, undefined, this.#responseBody);
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
