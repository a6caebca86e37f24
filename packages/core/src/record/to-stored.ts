import type { CapturedBody, Exchange } from '../exchange.js';
import { hostOf } from './format.js';
import type { StoredBody, StoredExchange } from './stored-exchange.js';

/** A captured body as storage keeps it; undefined when nothing was captured. The bytes are shared, not copied. */
export function toStoredBody(body: CapturedBody | undefined): StoredBody | undefined {
  if (!body || body.bytes.length === 0) return undefined;
  return {
    bytes: body.bytes,
    size: body.size,
    truncated: body.truncated,
    decoded: body.decoded,
    ...(body.contentEncoding ? { contentEncoding: body.contentEncoding } : {}),
  };
}

/**
 * A completed exchange in the stored shape, as history reads it back: what the web view shows
 * for live exchanges and what exports convert. `saveResponses: false` leaves the response out,
 * as storage plugins do when told not to keep responses.
 */
export function toStoredExchange(exchange: Exchange, options: { saveResponses?: boolean } = {}): StoredExchange {
  const { request, response, timings } = exchange;
  const requestBody = toStoredBody(request.body);
  const stored: StoredExchange = {
    id: exchange.id,
    client: { address: exchange.client.address, port: exchange.client.port },
    source: exchange.source,
    tls: exchange.tls,
    mocked: exchange.mocked,
    request: {
      method: request.method,
      url: request.url,
      host: hostOf(request.url),
      httpVersion: request.httpVersion,
      headers: request.headers,
      ...(request.trailers?.length ? { trailers: request.trailers } : {}),
      bodySize: exchange.sizes.requestBody,
      ...(requestBody ? { body: requestBody } : {}),
    },
    timings: { startedAt: timings.startedAt, total: timings.total, ...(timings.firstByte !== undefined ? { firstByte: timings.firstByte } : {}) },
  };
  if (response && options.saveResponses !== false) {
    const responseBody = toStoredBody(response.body);
    stored.response = {
      statusCode: response.statusCode,
      statusMessage: response.statusMessage,
      httpVersion: response.httpVersion,
      headers: response.headers,
      ...(response.trailers?.length ? { trailers: response.trailers } : {}),
      bodySize: exchange.sizes.responseBody,
      ...(responseBody ? { body: responseBody } : {}),
      ...(response.bodySkipped ? { bodySkipped: response.bodySkipped } : {}),
    };
  }
  if (exchange.error) stored.error = { code: exchange.error.code, message: exchange.error.message };
  // JSON-plain records, shared rather than copied, as the bodies are.
  if (exchange.websocket) stored.websocket = exchange.websocket;
  if (exchange.grpc) stored.grpc = exchange.grpc;
  return stored;
}
