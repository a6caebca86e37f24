import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { headerListFromRaw, requestHeaderListFromRaw, type ClientInfo } from './exchange.js';
import { setHostHeader, toForwardedHeaders } from './headers.js';
import { serializeResponseHead, writeRawResponse } from './raw-response.js';
import type { CapturePipeline } from './pipeline.js';
import type { UpstreamPool } from './upstream-pool.js';
import { formatAuthority } from './host-pattern.js';
import { classifyUpstreamError, UpstreamTimeoutError } from './upstream-errors.js';

/**
 * Forwards an `Upgrade` request (WebSocket) and, once the upstream switches protocols, splices
 * the two sockets so frames stream both ways untouched. The handshake is an exchange of its
 * own (response 101, body skipped as `upgrade`); the frames are not captured.
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
): void {
  const started = performance.now();
  const { config } = pipeline;
  const exchange = pipeline.open(
    { method: req.method ?? 'GET', url, httpVersion: req.httpVersion, headers: requestHeaderListFromRaw(req.rawHeaders) },
    client,
    tls,
    source,
  );
  let done = false;
  const finish = () => {
    if (done) return;
    done = true;
    exchange.timings.total = performance.now() - started;
    pipeline.complete(exchange, undefined, undefined);
  };

  let target: URL;
  try {
    target = new URL(url);
  } catch {
    exchange.error = { code: 'BAD_REQUEST', message: `cannot forward to "${url}"` };
    writeRawResponse(socket, 400, exchange.error.message);
    finish();
    return;
  }
  const secure = target.protocol === 'https:' || target.protocol === 'wss:';
  const hostname = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
  const port = target.port ? Number(target.port) : secure ? 443 : 80;
  const authority = formatAuthority(hostname, port);
  const headers = toForwardedHeaders(exchange.request.headers, { keepUpgrade: true, dropProxyAuthorization: true });
  setHostHeader(headers, target.host);
  // secureContext reaches tls.connect, though https.RequestOptions does not declare it.
  const options: https.RequestOptions & Pick<tls.ConnectionOptions, 'secureContext'> = {
    hostname,
    port,
    method: exchange.request.method,
    path: target.pathname + target.search,
    headers,
    setHost: false,
    // An upgraded connection leaves the pool for good, so do not take one from it.
    agent: false,
  };
  if (secure) {
    // Same verification as pooled requests, though an upgrade takes a connection of its own.
    options.servername = hostname;
    const trust = upstream.tls;
    if (trust.secureContext) options.secureContext = trust.secureContext;
    options.rejectUnauthorized = trust.rejectUnauthorized;
  }
  const upstreamRequest = (secure ? https : http).request(options);
  upstreamRequest.setTimeout(config.upstreamTimeout, () =>
    upstreamRequest.destroy(new UpstreamTimeoutError(config.upstreamTimeout)),
  );
  socket.on('error', () => upstreamRequest.destroy());
  socket.on('close', () => {
    upstreamRequest.destroy();
    if (!done) {
      exchange.error ??= { code: 'CLIENT_ABORTED', message: 'the client closed the connection during the upgrade' };
      finish();
    }
  });

  upstreamRequest.on('upgrade', (response, upstreamSocket, upstreamHead) => {
    exchange.timings.firstByte = performance.now() - started;
    exchange.response = {
      statusCode: response.statusCode ?? 101,
      statusMessage: response.statusMessage ?? 'Switching Protocols',
      httpVersion: response.httpVersion,
      headers: headerListFromRaw(response.rawHeaders),
      bodySkipped: 'upgrade',
    };
    upstreamSocket.setTimeout(0);
    upstreamSocket.setNoDelay(true);
    socket.write(
      serializeResponseHead(exchange.response.statusCode, exchange.response.statusMessage, toForwardedHeaders(exchange.response.headers, { keepUpgrade: true })),
    );
    if (upstreamHead.length) socket.write(upstreamHead);
    if (head.length) upstreamSocket.write(head);
    upstreamSocket.pipe(socket);
    socket.pipe(upstreamSocket);
    upstreamSocket.on('error', () => socket.destroy());
    upstreamSocket.on('close', () => socket.destroy());
    socket.on('close', () => upstreamSocket.destroy());
    finish();
  });

  upstreamRequest.on('response', (response) => {
    // The upstream declined the upgrade: relay its plain response and close.
    exchange.timings.firstByte = performance.now() - started;
    exchange.response = {
      statusCode: response.statusCode ?? 502,
      statusMessage: response.statusMessage ?? '',
      httpVersion: response.httpVersion,
      headers: headerListFromRaw(response.rawHeaders),
    };
    const headers = toForwardedHeaders(exchange.response.headers).filter((_, index, all) => {
      const name = (index % 2 === 0 ? all[index] : all[index - 1])!.toLowerCase();
      return name !== 'content-length';
    });
    socket.write(serializeResponseHead(exchange.response.statusCode, exchange.response.statusMessage, [...headers, 'Connection', 'close']));
    response.on('data', (chunk: Buffer) => {
      exchange.sizes.responseBody += chunk.length;
    });
    response.pipe(socket);
    response.on('end', finish);
  });

  upstreamRequest.on('error', (error) => {
    if (done) return;
    const failure = classifyUpstreamError(error, authority);
    exchange.error = { code: failure.code, message: failure.message };
    writeRawResponse(socket, failure.status, failure.message);
    finish();
  });
  upstreamRequest.end();
}
