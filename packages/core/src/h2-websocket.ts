import { randomBytes } from 'node:crypto';
import type { Http2ServerRequest } from 'node:http2';
import { requestHeaderListFromRaw } from './exchange.js';
import type { ExchangeRoute } from './http-exchange.js';
import type { CapturePipeline } from './pipeline.js';
import { http2UpgradeClient } from './upgrade-client.js';
import { runUpgrade } from './upgrade.js';
import type { UpstreamPool } from './upstream-pool.js';

/**
 * Serves an HTTP/2 extended CONNECT stream (RFC 8441, `:protocol websocket`) as a WebSocket
 * upgrade: the same exchange as an HTTP/1.1 upgrade (`onRequest`, `onResponse`,
 * `onExchangeOpened`, `onUpgraded`, completed at close), forwarded to the origin as an
 * HTTP/1.1 `Upgrade` (origins mostly speak WebSocket over 1.1) and answered `:status 200` on
 * the stream once the origin switched. The exchange records the request as forwarded: `GET`
 * with the client's fields plus the handshake fields RFC 8441 leaves out of h2 (`Upgrade`,
 * `Connection`, a fresh `Sec-WebSocket-Key`), `httpVersion` `2`.
 */
export function forwardHttp2WebSocket(pipeline: CapturePipeline, upstream: UpstreamPool, req: Http2ServerRequest, route: ExchangeRoute): void {
  const protocol = req.headers[':protocol'];
  if (protocol !== 'websocket') {
    req.stream.respond({ ':status': 501, 'content-type': 'text/plain; charset=utf-8' });
    req.stream.end(`capture: extended CONNECT for "${String(protocol)}" is not supported\n`);
    return;
  }
  const headers = requestHeaderListFromRaw(req.rawHeaders);
  headers.push(['Connection', 'Upgrade'], ['Upgrade', 'websocket'], ['Sec-WebSocket-Key', randomBytes(16).toString('base64')]);
  const exchange = pipeline.open({ method: 'GET', url: route.url, httpVersion: '2', headers }, route.client, route.tls, route.source);
  runUpgrade(pipeline, upstream, http2UpgradeClient(req), exchange, route.keepHost === true);
}
