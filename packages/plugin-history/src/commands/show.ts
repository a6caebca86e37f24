import { isUtf8 } from 'node:buffer';
import { CaptureError, type CommandInput, type HeaderList, type StoredBody, type StoredExchange, type WebSocketRecord } from '@capture/core';
import { bodyText, grpcStatusLine, headerValue, mediaType } from '@capture/postman-format';
import { formatBytes, formatDateTime, formatDuration } from '../format.js';
import { base64Of } from '../bytes.js';
import { withStore } from './open.js';

/** `capture history show ID`: the whole exchange, readable (JSON bodies pretty-printed) or as JSON. */
export async function runShow({ args, options, context }: CommandInput): Promise<number> {
  const raw = String(args[0] ?? '');
  if (!/^\d+$/.test(raw)) throw new CaptureError('USAGE', `history show expects an exchange id (a number from "capture history list"), got "${raw}"`);
  const exchange = await withStore(context, (store) => store.get(Number(raw)));
  if (!exchange) throw new CaptureError('HISTORY_NOT_FOUND', `no exchange ${raw} in history (see "capture history list")`);
  context.stdout.write(options.json ? `${JSON.stringify(exchangeToJson(exchange), null, 2)}\n` : formatExchange(exchange));
  return 0;
}

/**
 * False for a body declared as UTF-8 text (the default charset) that is not valid UTF-8, such as
 * a binary upload sent as a form: as text it would come back with replacement characters, so the
 * JSON gives its bytes in base64. Bodies in other charsets decode whole.
 */
function decodesWhole(bytes: Uint8Array, contentType: string | undefined): boolean {
  const charset = (mediaType(contentType).parameters.charset ?? 'utf-8').toLowerCase();
  return (charset !== 'utf-8' && charset !== 'utf8') || isUtf8(bytes);
}

/** The JSON form of a stored exchange: bodies as `text` when they are text, else `base64`. */
export function exchangeToJson(exchange: StoredExchange) {
  const body = (stored: StoredBody | undefined, headers: HeaderList) => {
    if (!stored) return undefined;
    const contentType = headerValue(headers, 'content-type');
    const text = decodesWhole(stored.bytes, contentType) ? bodyText(stored.bytes, contentType) : undefined;
    return {
      ...(text !== undefined ? { text } : { base64: base64Of(stored.bytes) }),
      size: stored.size,
      captured: stored.bytes.length,
      truncated: stored.truncated,
      ...(stored.contentEncoding ? { contentEncoding: stored.contentEncoding, decoded: stored.decoded } : {}),
    };
  };
  const { request, response } = exchange;
  return {
    id: exchange.id,
    startedAt: new Date(exchange.timings.startedAt).toISOString(),
    client: exchange.client,
    source: exchange.source ?? exchange.client.address,
    tls: exchange.tls,
    mocked: exchange.mocked,
    request: {
      method: request.method,
      url: request.url,
      httpVersion: request.httpVersion,
      headers: request.headers,
      trailers: request.trailers ?? [],
      body: body(request.body, request.headers) ?? null,
      bodySize: request.bodySize,
    },
    response: response
      ? {
          statusCode: response.statusCode,
          statusMessage: response.statusMessage,
          httpVersion: response.httpVersion,
          headers: response.headers,
          trailers: response.trailers ?? [],
          body: body(response.body, response.headers) ?? null,
          bodySize: response.bodySize,
          ...(response.bodySkipped ? { bodySkipped: response.bodySkipped } : {}),
        }
      : null,
    error: exchange.error ?? null,
    timings: exchange.timings,
    ...(exchange.websocket ? { websocket: exchange.websocket } : {}),
    ...(exchange.grpc ? { grpc: exchange.grpc } : {}),
  };
}

/** The readable form: a head line, the request as on the wire, then the response. */
export function formatExchange(exchange: StoredExchange): string {
  const { request, response } = exchange;
  const lines: string[] = [];
  lines.push(`#${exchange.id}  ${formatDateTime(exchange.timings.startedAt)}  from ${describeSource(exchange)}${exchange.tls ? '  (HTTPS, intercepted)' : ''}${exchange.mocked ? '  (answered by a plugin)' : ''}`);
  lines.push('');
  lines.push(`${request.method} ${request.url} HTTP/${request.httpVersion}`);
  for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
  lines.push('', ...describeBody(request.body, request.headers), ...describeTrailers(request.trailers));
  if (exchange.error) lines.push(`failed: ${exchange.error.message} (${exchange.error.code})`, '');
  if (response) {
    const timing = `${formatDuration(exchange.timings.total)}${exchange.timings.firstByte !== undefined ? `, first byte after ${formatDuration(exchange.timings.firstByte)}` : ''}`;
    lines.push(`HTTP/${response.httpVersion} ${response.statusCode} ${response.statusMessage}  (${timing}, ${formatBytes(response.bodySize)})`);
    for (const [name, value] of response.headers) lines.push(`${name}: ${value}`);
    lines.push('', ...describeBody(response.body, response.headers, response.bodySkipped), ...describeTrailers(response.trailers));
    const grpc = grpcStatusLine(response.headers, response.trailers);
    if (grpc) lines.push(`gRPC status: ${grpc}${grpcMessage(response.headers, response.trailers)}`, '');
  } else if (!exchange.error) {
    lines.push('(response not saved: saveResponses was off)', '');
  }
  if (exchange.websocket) lines.push(...describeWebSocket(exchange.websocket));
  return `${lines.join('\n').trimEnd()}\n`;
}

/** `127.0.0.1`, or `run:npm (127.0.0.1)` when the source is not simply the client. */
function describeSource(exchange: StoredExchange): string {
  const source = exchange.source ?? exchange.client.address;
  return source === exchange.client.address ? source : `${source} (${exchange.client.address})`;
}

/** Opcode names for the messages list. */
const OPCODES: Record<number, string> = { 0: 'continuation', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' };

/** A WebSocket connection's messages, one line each (`→` from the client, `←` from the server), then how it closed. */
function describeWebSocket(record: WebSocketRecord): string[] {
  const lines = [`WebSocket: ${record.messages.length} message${record.messages.length === 1 ? '' : 's'}${record.droppedMessages ? ` (${record.droppedMessages} more not kept)` : ''}`];
  for (const message of record.messages) {
    const payload = message.text !== undefined ? message.text : message.base64 !== undefined ? `(base64) ${message.base64}` : '';
    const time = new Date(message.time).toISOString().slice(11, 23);
    lines.push(`${message.fromClient ? '→' : '←'} ${time} ${OPCODES[message.opcode] ?? `opcode ${message.opcode}`} ${formatBytes(message.size)}${message.truncated ? ' (truncated)' : ''}${payload ? `  ${payload}` : ''}`);
  }
  // Written when it opened, not yet replaced by its completed record (it still is, or capture stopped first).
  if ((record as { open?: boolean }).open) lines.push('open: the connection had not closed when this was saved');
  if (record.closeCode !== undefined || record.closedBy) {
    lines.push(`closed${record.closedBy ? ` by the ${record.closedBy}` : ''}${record.closeCode !== undefined ? `: ${record.closeCode}` : ''}${record.closeReason ? ` ${record.closeReason}` : ''}`);
  }
  lines.push('');
  return lines;
}

/** Trailer fields after a body, as on the wire after a chunked body (a `(trailers)` line, then each field). */
function describeTrailers(trailers: HeaderList | undefined): string[] {
  if (!trailers?.length) return [];
  return ['(trailers)', ...trailers.map(([name, value]) => `${name}: ${value}`), ''];
}

/** `: message` for a gRPC status with a `grpc-message` (percent-decoded, as gRPC encodes it), else empty. */
function grpcMessage(headers: HeaderList, trailers: HeaderList | undefined): string {
  const raw = (trailers && headerValue(trailers, 'grpc-message')) ?? headerValue(headers, 'grpc-message');
  if (!raw) return '';
  try {
    return `: ${decodeURIComponent(raw)}`;
  } catch {
    return `: ${raw}`;
  }
}

function describeBody(body: StoredBody | undefined, headers: HeaderList, skipped?: string): string[] {
  if (skipped) return [`(body not captured: ${skipped})`, ''];
  if (!body) return [];
  const contentType = headerValue(headers, 'content-type');
  const text = bodyText(body.bytes, contentType);
  const out: string[] = [];
  if (text === undefined) {
    out.push(`(binary body, ${formatBytes(body.size)}${contentType ? `, ${contentType}` : ''})`);
  } else {
    out.push(/json$/.test(mediaType(contentType).type) || (!contentType && /^\s*[[{]/.test(text)) ? prettyJson(text) : text);
  }
  if (body.truncated) out.push(`(truncated: ${formatBytes(body.bytes.length)} of ${formatBytes(body.size)} captured)`);
  out.push('');
  return out;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
