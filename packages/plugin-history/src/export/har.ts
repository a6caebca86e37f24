import { createRequire } from 'node:module';
import type { Content, Cookie, Entry, Har, Header, PostData, Request, Response } from 'har-format';
import { parseCookie, parseSetCookie } from 'cookie';
import { bodyText, headerValue } from '@capture/postman-format';
import type { HeaderList, StoredBody, StoredExchange, WebSocketRecord } from '@capture/core';
import { base64Of } from '../bytes.js';

const VERSION = (createRequire(import.meta.url)('@capture/plugin-history/package.json') as { version: string }).version;

/**
 * Builds a HAR 1.2 log (as browsers' network panels export it) from exchanges, in the order
 * given. HAR requests have absolute URLs: an exchange without one (a malformed request stored
 * with an empty URL) is left out and counted in `skipped`, never failing the whole log.
 */
export function toHar(exchanges: Iterable<StoredExchange>): { har: Har; skipped: number } {
  const entries: Entry[] = [];
  let skipped = 0;
  for (const exchange of exchanges) {
    if (harSkipReason(exchange)) skipped += 1;
    else entries.push(toEntry(exchange));
  }
  return { har: { log: { version: '1.2', creator: { name: 'capture', version: VERSION }, entries } }, skipped };
}

/** Why an exchange cannot be a HAR entry, or undefined when it can. */
export function harSkipReason(exchange: StoredExchange): string | undefined {
  try {
    new URL(exchange.request.url);
    return undefined;
  } catch {
    return 'URL is not an absolute URL';
  }
}

function toEntry(exchange: StoredExchange): Entry {
  const { timings } = exchange;
  const wait = Math.max(0, timings.firstByte ?? timings.total);
  const entry: Entry & Record<`_${string}`, unknown> = {
    startedDateTime: new Date(timings.startedAt).toISOString(),
    time: Math.max(0, timings.total),
    request: toRequest(exchange),
    response: toResponse(exchange),
    cache: {},
    timings: { send: 0, wait, receive: Math.max(0, timings.total - wait) },
    _id: exchange.id,
    _clientAddress: exchange.client.address,
  };
  if (exchange.error) entry._error = exchange.error.message;
  if (exchange.websocket) entry._webSocketMessages = webSocketMessages(exchange.websocket);
  return entry;
}

/**
 * A WebSocket connection's messages as Chrome DevTools exports them in HAR: `type` send (from
 * the client) or receive, `time` in seconds since the epoch, `opcode`, and `data` (the text, or
 * the payload in base64 for binary and control frames, as Chrome writes binary ones).
 */
function webSocketMessages(record: WebSocketRecord): Array<{ type: 'send' | 'receive'; time: number; opcode: number; data: string }> {
  return record.messages.map((message) => ({
    type: message.fromClient ? 'send' : 'receive',
    time: message.time / 1000,
    opcode: message.opcode,
    data: message.text ?? message.base64 ?? '',
  }));
}

function toRequest(exchange: StoredExchange): Request {
  const { request } = exchange;
  const harRequest: Request = {
    method: request.method,
    url: request.url,
    httpVersion: harVersion(request.httpVersion),
    cookies: requestCookies(request.headers),
    headers: harHeaders(request.headers),
    queryString: queryOf(request.url),
    headersSize: -1,
    bodySize: request.bodySize,
  };
  if (request.body) harRequest.postData = postData(request.body, headerValue(request.headers, 'content-type'));
  return withTrailers(harRequest, request.trailers);
}

function toResponse(exchange: StoredExchange): Response {
  const { response } = exchange;
  if (!response) {
    return {
      status: 0,
      statusText: '',
      httpVersion: '',
      cookies: [],
      headers: [],
      content: { size: 0, mimeType: 'x-unknown' },
      redirectURL: '',
      headersSize: -1,
      bodySize: -1,
      comment: exchange.error ? `failed: ${exchange.error.message}` : 'response not saved (saveResponses was off)',
    };
  }
  return withTrailers({
    status: response.statusCode,
    statusText: response.statusMessage,
    httpVersion: harVersion(response.httpVersion),
    cookies: responseCookies(response.headers),
    headers: harHeaders(response.headers),
    content: content(response.body, headerValue(response.headers, 'content-type'), response.bodySkipped),
    redirectURL: headerValue(response.headers, 'location') ?? '',
    headersSize: -1,
    bodySize: response.bodySize,
  }, response.trailers);
}

/**
 * The HAR spelling of an HTTP version: `HTTP/2.0` for HTTP/2, as Chrome and Firefox export it
 * (tools reading HAR compare against that string), else `HTTP/1.1`, `HTTP/1.0`.
 */
export function harVersion(version: string): string {
  return version === '2' || version === '2.0' ? 'HTTP/2.0' : `HTTP/${version}`;
}

/**
 * Adds trailer fields as `_trailers` (`[{ name, value }]`): HAR 1.2 has no field for them and
 * custom fields start with `_`. Absent when there were none.
 */
function withTrailers<T extends Request | Response>(message: T, trailers: HeaderList | undefined): T {
  return trailers?.length ? { ...message, _trailers: harHeaders(trailers) } : message;
}

function content(body: StoredBody | undefined, contentType: string | undefined, skipped: string | undefined): Content {
  const mimeType = contentType ?? 'x-unknown';
  if (!body) return { size: 0, mimeType, ...(skipped ? { comment: `body not captured (${skipped})` } : {}) };
  const text = bodyText(body.bytes, contentType);
  const result: Content = { size: body.bytes.length, mimeType, ...(text !== undefined ? { text } : { text: base64Of(body.bytes), encoding: 'base64' }) };
  if (body.decoded && !body.truncated) result.compression = Math.max(0, body.bytes.length - body.size);
  if (body.truncated) result.comment = `truncated: ${body.bytes.length} of ${body.size} bytes captured`;
  return result;
}

function postData(body: StoredBody, contentType: string | undefined): PostData {
  const mimeType = contentType ?? '';
  const text = bodyText(body.bytes, contentType);
  if (text === undefined) return { mimeType, text: base64Of(body.bytes), comment: 'binary body, base64-encoded' };
  // HAR 1.2 makes `text` and `params` exclusive; the text keeps forms exactly as sent.
  const data: PostData = { mimeType, text };
  if (body.truncated) data.comment = `truncated: ${body.bytes.length} of ${body.size} bytes captured`;
  return data;
}

function harHeaders(headers: HeaderList): Header[] {
  return headers.map(([name, value]) => ({ name, value }));
}

function queryOf(url: string): Array<{ name: string; value: string }> {
  try {
    return [...new URL(url).searchParams].map(([name, value]) => ({ name, value }));
  } catch {
    return [];
  }
}

function requestCookies(headers: HeaderList): Cookie[] {
  const cookies: Cookie[] = [];
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'cookie') continue;
    for (const [key, cookieValue] of Object.entries(parseCookie(value))) cookies.push({ name: key, value: cookieValue ?? '' });
  }
  return cookies;
}

function responseCookies(headers: HeaderList): Cookie[] {
  const cookies: Cookie[] = [];
  for (const [name, value] of headers) {
    if (name.toLowerCase() !== 'set-cookie') continue;
    try {
      const parsed = parseSetCookie(value);
      cookies.push({
        name: parsed.name,
        value: parsed.value ?? '',
        ...(parsed.path ? { path: parsed.path } : {}),
        ...(parsed.domain ? { domain: parsed.domain } : {}),
        ...(parsed.expires && !Number.isNaN(parsed.expires.getTime()) ? { expires: parsed.expires.toISOString() } : {}),
        ...(parsed.httpOnly ? { httpOnly: true } : {}),
        ...(parsed.secure ? { secure: true } : {}),
      });
    } catch {
      // A malformed Set-Cookie stays in the headers; it just has no cookie entry.
    }
  }
  return cookies;
}
