import { CAPTURED_FILE_NAME, toPostmanBody } from './body.js';
import { bodyText, headerValue, languageOf, mediaType } from './text.js';
import { unsupportedProtocolNote } from './protocol-note.js';
import { toPostmanUrl } from './url.js';
import type { HeaderPairs, PostmanBody, PostmanHeader, PostmanItem, PostmanRequest, PostmanResponse, SourceExchange, SourceRequest, SourceResponse } from './types.js';

/**
 * Headers a replayed request must not carry: hop-by-hop ones (RFC 9110 §7.6.1), those meant for
 * the proxy, and `Content-Length`, which the sender computes (a captured one is wrong for a
 * truncated body).
 */
const NOT_REPLAYED = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'content-length']);

/** Options for {@link toPostmanItem}. */
export interface ItemOptions {
  /** The item's name; default `METHOD /path`. */
  name?: string;
  /** Include the response as a saved example when there is one. Default true. */
  saveResponse?: boolean;
}

/** Converts a request to a Postman request: method, headers in order, broken-down URL and body. */
export function toPostmanRequest(request: SourceRequest): PostmanRequest {
  const postman: PostmanRequest = {
    method: request.method.toUpperCase(),
    header: replayableHeaders(request.headers, request.body?.decoded ?? false),
    url: toPostmanUrl(request.url),
  };
  const contentType = headerValue(request.headers, 'content-type');
  const body = toPostmanBody(request.body, contentType, request.url);
  if (body) postman.body = body;
  const notes = bodyNotes(request, body, contentType);
  if (notes.length) postman.description = notes.join(' ');
  return postman;
}

/**
 * What a reader of the collection must know about a body it cannot hold: a truncated capture,
 * binary bytes (the `file` mode has no file), and the files of a multipart form (only their names
 * are kept). Without the note such a request would silently send less than was captured.
 */
function bodyNotes(request: SourceRequest, body: PostmanBody | undefined, contentType: string | undefined): string[] {
  const notes: string[] = [];
  if (request.body?.truncated) notes.push(`The captured request body was truncated to ${request.body.bytes.length} bytes.`);
  if (body?.mode === 'file') {
    const size = request.body?.bytes.length ?? 0;
    notes.push(`The captured request body was ${size} byte${size === 1 ? '' : 's'} of binary data${contentType ? ` (${contentType})` : ''}, which a collection cannot hold: choose a file to send it.`);
  }
  if (body?.mode === 'formdata') {
    // The captured file name (never a `src`, see toPostmanBody) is kept only as text.
    const files = body.formdata.filter((field) => field.type === 'file').map((field) => {
      const name = field.type === 'file' && field.description?.startsWith(CAPTURED_FILE_NAME) ? field.description.slice(CAPTURED_FILE_NAME.length) : '';
      return `"${field.key}"${name ? ` (${name})` : ''}`;
    });
    if (files.length) notes.push(`The form's file field${files.length === 1 ? '' : 's'} ${files.join(', ')} kept only the file name: choose the file${files.length === 1 ? '' : 's'} to send.`);
  }
  return notes;
}

/**
 * Converts a response to a saved example. Text bodies are kept as text; binary or uncaptured
 * bodies become `null` (the example keeps status, headers and time).
 */
export function toPostmanResponse(response: SourceResponse, originalRequest: PostmanRequest, options: { name?: string; responseTime?: number } = {}): PostmanResponse {
  const contentType = headerValue(response.headers, 'content-type');
  const text = response.body && response.body.bytes.length ? bodyText(response.body.bytes, contentType) : undefined;
  const decoded = response.body?.decoded ?? false;
  return {
    name: options.name ?? `${response.statusCode} ${response.statusMessage ?? ''}`.trim(),
    originalRequest,
    status: response.statusMessage ?? '',
    code: response.statusCode,
    _postman_previewlanguage: languageOf(mediaType(contentType).type),
    // Content-Length and Content-Encoding describe the wire bytes, not the decoded text kept here.
    header: toPostmanHeaders(response.headers.filter(([name]) => {
      const lower = name.toLowerCase();
      return lower !== 'transfer-encoding' && !(decoded && (lower === 'content-encoding' || lower === 'content-length'));
    })),
    cookie: [],
    body: text ?? null,
    responseTime: options.responseTime ?? null,
  };
}

/** Converts a captured exchange to a Postman item, with its response as a saved example. */
export function toPostmanItem(exchange: SourceExchange, options: ItemOptions = {}): PostmanItem {
  const request = toPostmanRequest(exchange.request);
  // The note goes where the body notes are: the request's description is the documentation Postman shows for an item.
  const note = unsupportedProtocolNote(exchange);
  if (note) request.description = request.description ? `${note} ${request.description}` : note;
  const item: PostmanItem = { name: options.name ?? defaultItemName(exchange.request), request, response: [] };
  if (exchange.response && options.saveResponse !== false) {
    item.response.push(toPostmanResponse(exchange.response, request, exchange.timings?.total !== undefined ? { responseTime: Math.round(exchange.timings.total) } : {}));
  }
  return item;
}

/** `GET /api/users` for a request to `https://host/api/users?page=2`. */
export function defaultItemName(request: Pick<SourceRequest, 'method' | 'url'>): string {
  let path = request.url;
  try {
    path = new URL(request.url).pathname;
  } catch {
    // Not a URL: the name shows it as it is.
  }
  return `${request.method.toUpperCase()} ${path}`;
}

/** Header pairs as Postman headers, in order. */
export function toPostmanHeaders(headers: HeaderPairs): PostmanHeader[] {
  return headers.map(([key, value]) => ({ key, value }));
}

function replayableHeaders(headers: HeaderPairs, bodyDecoded: boolean): PostmanHeader[] {
  return toPostmanHeaders(
    headers.filter(([name]) => {
      const lower = name.toLowerCase();
      return !NOT_REPLAYED.has(lower) && !(bodyDecoded && lower === 'content-encoding');
    }),
  );
}
