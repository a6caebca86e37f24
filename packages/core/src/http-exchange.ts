import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { BodyCollector } from './body-capture.js';
import { headerListFromRaw, type ClientInfo, type Exchange, type ExchangeError, type HeaderList } from './exchange.js';
import type { MockResponse, OutgoingRequest, OutgoingResponse, RequestContext, ResponseContext } from './hooks.js';
import { requestHasBody, setHostHeader, toForwardedHeaders } from './headers.js';
import type { ProxyRuntime } from './runtime.js';
import { formatAuthority } from './socket-info.js';
import { classifyUpstreamError, UpstreamTimeoutError } from './upstream-errors.js';
import { PluginError } from './errors.js';

/**
 * One HTTP exchange through the proxy, start to finish: build the exchange, run `onRequest`,
 * send the request upstream (or answer with a plugin's mock), run `onResponse`, stream the
 * response back, then hand the completed exchange to the runtime. Bodies stream end to end;
 * capture only keeps references to chunks, up to `maxBodySize`.
 */
export class HttpExchange {
  readonly #rt: ProxyRuntime;
  readonly #req: IncomingMessage;
  readonly #res: ServerResponse;
  readonly #started = performance.now();
  readonly #exchange: Exchange;
  #requestBody: BodyCollector | undefined;
  #responseBody: BodyCollector | undefined;
  #upstream: http.ClientRequest | undefined;
  #responseStarted = false;
  #finished = false;

  constructor(rt: ProxyRuntime, req: IncomingMessage, res: ServerResponse, url: string, client: ClientInfo, tls: boolean) {
    this.#rt = rt;
    this.#req = req;
    this.#res = res;
    this.#exchange = {
      id: rt.nextExchangeId(),
      client,
      tls,
      request: { method: req.method ?? 'GET', url, httpVersion: req.httpVersion, headers: headerListFromRaw(req.rawHeaders) },
      timings: { startedAt: Date.now(), total: 0 },
      sizes: { requestBody: 0, responseBody: 0 },
      mocked: false,
      meta: {},
    };
    rt.exchangeStarted();
    res.on('close', this.#onClientResponseClosed);
  }

  /** Runs the exchange. Never throws: every failure becomes an error response and an exchange with `error`. */
  async run(): Promise<void> {
    const exchange = this.#exchange;
    const outgoing: OutgoingRequest = {
      method: exchange.request.method,
      url: exchange.request.url,
      headers: exchange.request.headers,
    };
    let mock: MockResponse | undefined;
    if (this.#rt.hooks.onRequest.isUsed()) {
      // Plugins may rewrite the outgoing headers; keep the captured ones as the client sent them.
      outgoing.headers = exchange.request.headers.slice();
      const context: RequestContext = { exchange, outgoing, incoming: this.#req };
      try {
        mock = await this.#rt.hooks.onRequest.promise(context);
      } catch (error) {
        this.#failBeforeResponse(500, { code: 'PLUGIN_ERROR', message: errorMessage(error) });
        this.#rt.reportError(error);
        return;
      }
      if (this.#res.destroyed) return;
    }
    const capturing = !exchange.skip && this.#rt.hooks.onExchange.isUsed();
    this.#requestBody = new BodyCollector(capturing ? this.#rt.config.maxBodySize : 0);
    this.#req.on('data', this.#requestBody.push);
    if (mock) {
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
    const secure = target.protocol === 'https:';
    const hostname = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
    const port = target.port ? Number(target.port) : secure ? 443 : 80;
    const headers = toForwardedHeaders(outgoing.headers, { dropProxyAuthorization: this.#rt.checkAuth !== undefined });
    setHostHeader(headers, target.host);
    // Transfer-Encoding is hop-by-hop, so a chunked body of unknown length is re-framed on the next hop.
    if (this.#req.headers['transfer-encoding'] !== undefined && this.#req.headers['content-length'] === undefined) {
      headers.push('Transfer-Encoding', 'chunked');
    }
    const options: https.RequestOptions = {
      hostname,
      port,
      method: outgoing.method,
      path: target.pathname + target.search,
      headers,
      setHost: false,
      agent: secure ? this.#rt.agents.https : this.#rt.agents.http,
    };
    if (secure) options.servername = hostname;
    const authority = formatAuthority(hostname, port);
    const upstream = (secure ? https : http).request(options);
    this.#upstream = upstream;
    upstream.setTimeout(this.#rt.config.upstreamTimeout, () => {
      upstream.destroy(new UpstreamTimeoutError(this.#rt.config.upstreamTimeout));
    });
    upstream.on('continue', () => this.#res.writeContinue());
    upstream.on('response', (response) => void this.#onUpstreamResponse(response));
    upstream.on('error', (error) => this.#onUpstreamError(error, authority));
    this.#req.on('error', () => upstream.destroy());
    if (requestHasBody(this.#req.headers)) this.#req.pipe(upstream);
    else {
      upstream.end();
      this.#req.resume();
    }
  }

  async #onUpstreamResponse(upstream: IncomingMessage): Promise<void> {
    const exchange = this.#exchange;
    exchange.timings.firstByte = performance.now() - this.#started;
    const headers = headerListFromRaw(upstream.rawHeaders);
    exchange.response = {
      statusCode: upstream.statusCode ?? 502,
      statusMessage: upstream.statusMessage ?? '',
      httpVersion: upstream.httpVersion,
      headers,
    };
    const outgoing: OutgoingResponse = { statusCode: exchange.response.statusCode, statusMessage: exchange.response.statusMessage, headers };
    if (this.#rt.hooks.onResponse.isUsed()) {
      outgoing.headers = headers.slice();
      const context: ResponseContext = {
        exchange,
        outgoing,
        skipBody: (reason) => {
          exchange.response!.bodySkipped = reason;
        },
      };
      try {
        await this.#rt.hooks.onResponse.promise(context);
      } catch (error) {
        upstream.destroy();
        this.#failBeforeResponse(502, { code: 'PLUGIN_ERROR', message: errorMessage(error) });
        this.#rt.reportError(error);
        return;
      }
    }
    if (this.#res.destroyed) {
      upstream.destroy();
      return;
    }
    this.#responseStarted = true;
    this.#res.writeHead(outgoing.statusCode, outgoing.statusMessage, toForwardedHeaders(outgoing.headers));
    const capturing = !exchange.skip && !exchange.response.bodySkipped && this.#rt.hooks.onExchange.isUsed();
    this.#responseBody = new BodyCollector(capturing ? this.#rt.config.maxBodySize : 0);
    upstream.on('data', this.#responseBody.push);
    upstream.on('close', () => {
      // An upstream that dies mid-body must not look like a complete response to the client.
      if (!upstream.complete && !this.#res.writableFinished) {
        exchange.error ??= { code: 'UPSTREAM_RESET', message: 'upstream closed the connection in the middle of the response body' };
        this.#res.destroy();
      }
    });
    upstream.pipe(this.#res);
  }

  #onUpstreamError(error: Error, authority: string): void {
    if (this.#finished) return;
    const failure = classifyUpstreamError(error, authority);
    if (this.#responseStarted) {
      this.#exchange.error ??= {
        code: failure.code === 'UPSTREAM_TIMEOUT' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_RESET',
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
    const capturing = !exchange.skip && this.#rt.hooks.onExchange.isUsed();
    this.#responseBody = new BodyCollector(capturing ? this.#rt.config.maxBodySize : 0);
    this.#responseStarted = true;
    this.#req.resume();
    this.#res.writeHead(mock.statusCode, statusMessage, toForwardedHeaders(headers));
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

  /** Answers with a short plain-text error when nothing of the response was sent yet. */
  #failBeforeResponse(status: number, error: ExchangeError): void {
    const exchange = this.#exchange;
    exchange.error = error;
    if (this.#res.headersSent || this.#res.destroyed) {
      this.#res.destroy();
      return;
    }
    const body = `capture: ${error.message}\n`;
    const headers: HeaderList = [
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Content-Length', String(Buffer.byteLength(body))],
    ];
    // An unread request body would be taken for the next request: close instead of reusing.
    if (!this.#req.complete) headers.push(['Connection', 'close']);
    exchange.response = { statusCode: status, statusMessage: http.STATUS_CODES[status] ?? '', httpVersion: '1.1', headers };
    this.#responseStarted = true;
    this.#res.writeHead(status, headers.flat());
    this.#res.end(body);
  }

  readonly #onClientResponseClosed = (): void => {
    if (this.#finished) return;
    this.#finished = true;
    const exchange = this.#exchange;
    if (!this.#res.writableFinished) {
      exchange.error ??= { code: 'CLIENT_ABORTED', message: 'the client closed the connection before the response was complete' };
      this.#upstream?.destroy();
    }
    exchange.timings.total = performance.now() - this.#started;
    exchange.sizes.requestBody = this.#requestBody?.size ?? 0;
    exchange.sizes.responseBody = this.#responseBody?.size ?? 0;
    this.#rt.exchangeFinished(exchange, this.#requestBody, this.#responseBody);
  };
}

function errorMessage(error: unknown): string {
  if (error instanceof PluginError) return error.message;
  return error instanceof Error ? error.message : String(error);
}
