import { hostOf } from '@capture/core/record';
import type { CapturedBody, Exchange, GrpcRecord, HeaderList, StoredBody, StoredExchange, WebSocketMessageRecord, WebSocketRecord } from '@capture/core';

/** One row as written: the columns of the `exchanges` table (SQLite integers for booleans). */
export interface HistoryRow {
  started_at: number;
  method: string;
  url: string;
  host: string;
  http_version: string;
  request_headers: string;
  /** The request's trailers as a JSON header list, or null when it had none. */
  request_trailers: string | null;
  request_body: Uint8Array | null;
  request_body_size: number;
  request_body_truncated: number;
  /** Unused (the core never skips a request body); the column stays for files that have it. */
  request_body_skipped: null;
  request_body_encoding: string | null;
  request_body_decoded: number;
  client_address: string;
  client_port: number;
  /** Where the exchange came from: `run:npm` for `capture run`, else the client's address. */
  source: string;
  tls: number;
  mocked: number;
  error_code: string | null;
  error_message: string | null;
  status: number | null;
  status_message: string | null;
  response_http_version: string | null;
  response_headers: string | null;
  /** The response's trailers as a JSON header list, or null when it had none (or was not saved). */
  response_trailers: string | null;
  response_body: Uint8Array | null;
  response_body_size: number | null;
  response_body_truncated: number;
  response_body_skipped: string | null;
  response_body_encoding: string | null;
  response_body_decoded: number;
  duration: number;
  first_byte: number | null;
  /** A WebSocket connection's record without its messages (JSON), or null. */
  websocket: string | null;
  /** A gRPC call's record (JSON), or null. */
  grpc: string | null;
}

/** A row to write and the WebSocket messages that go to their own table with it. */
export interface HistoryRowWithMessages extends HistoryRow {
  /** Not a column: the messages of `websocket`, written to `websocket_messages`. */
  messages?: WebSocketMessageRecord[];
  /**
   * Not a column: the proxy's id of the exchange (`Exchange.id`), for a WebSocket connection.
   * The row of an open connection is replaced in place (same history id) by the row of the
   * completed exchange with the same key.
   */
  exchangeKey?: number;
}

/** The `websocket` column of a connection still open when written: no messages yet, no close. */
export const OPEN_WEBSOCKET = JSON.stringify({ open: true, droppedMessages: 0 });

/**
 * The row of a WebSocket connection that has just opened (its 101 sent, `onExchangeOpened`): the
 * request and the 101, marked open, replaced by the completed exchange's row when it closes.
 */
export function toOpenHistoryRow(exchange: Exchange, saveResponses: boolean): HistoryRowWithMessages {
  return { ...toHistoryRow(exchange, saveResponses), websocket: OPEN_WEBSOCKET, messages: undefined, exchangeKey: exchange.id };
}

/**
 * Turns a completed exchange into a row. The request is always kept; the response only when
 * `saveResponses` is on (a media response keeps its status, headers and time, not its body, as
 * the filters plugin left it). Failures keep their code and message either way.
 */
export function toHistoryRow(exchange: Exchange, saveResponses: boolean): HistoryRowWithMessages {
  const { request, timings } = exchange;
  const response = saveResponses ? exchange.response : undefined;
  return {
    started_at: timings.startedAt,
    method: request.method,
    url: request.url,
    host: hostOf(request.url),
    http_version: request.httpVersion,
    request_headers: JSON.stringify(request.headers),
    request_trailers: request.trailers?.length ? JSON.stringify(request.trailers) : null,
    request_body: bodyBytes(request.body),
    request_body_size: exchange.sizes.requestBody,
    request_body_truncated: request.body?.truncated ? 1 : 0,
    request_body_skipped: null,
    request_body_encoding: request.body?.contentEncoding ?? null,
    request_body_decoded: request.body?.decoded ? 1 : 0,
    client_address: exchange.client.address,
    client_port: exchange.client.port,
    // An exchange made by hand (a test, an older plugin) may lack a source: its client is where it came from.
    source: exchange.source || exchange.client.address,
    tls: exchange.tls ? 1 : 0,
    mocked: exchange.mocked ? 1 : 0,
    error_code: exchange.error?.code ?? null,
    error_message: exchange.error?.message ?? null,
    status: response?.statusCode ?? null,
    status_message: response?.statusMessage ?? null,
    response_http_version: response?.httpVersion ?? null,
    response_headers: response ? JSON.stringify(response.headers) : null,
    response_trailers: response?.trailers?.length ? JSON.stringify(response.trailers) : null,
    response_body: bodyBytes(response?.body),
    response_body_size: response ? exchange.sizes.responseBody : null,
    response_body_truncated: response?.body?.truncated ? 1 : 0,
    response_body_skipped: response?.bodySkipped ?? null,
    response_body_encoding: response?.body?.contentEncoding ?? null,
    response_body_decoded: response?.body?.decoded ? 1 : 0,
    duration: timings.total,
    first_byte: timings.firstByte ?? null,
    websocket: exchange.websocket ? JSON.stringify({ ...exchange.websocket, messages: undefined }) : null,
    grpc: exchange.grpc ? JSON.stringify(exchange.grpc) : null,
    ...(exchange.websocket?.messages.length ? { messages: exchange.websocket.messages } : {}),
    exchangeKey: exchange.id,
  };
}

function bodyBytes(body: CapturedBody | undefined): Uint8Array | null {
  return body && body.bytes.length > 0 ? body.bytes : null;
}

/** A row as read from the table (every column; SQLite gives BLOBs back as Buffers). */
export type StoredRow = Omit<HistoryRow, 'request_body' | 'response_body'> & {
  id: number;
  request_body: Buffer | null;
  response_body: Buffer | null;
  /** Which bodies are kept in pieces, not in the row (see `body-pieces.ts`); 0 when none. */
  body_pieces: number;
};

/** Turns a full row back into core's exchange record (bodies are Buffers, as SQLite gives them); `messages` are the row's WebSocket messages. */
export function fromHistoryRow(row: StoredRow, messages: WebSocketMessageRecord[] = []): StoredExchange {
  const stored: StoredExchange = {
    id: row.id,
    client: { address: row.client_address ?? '', port: row.client_port ?? undefined },
    source: row.source || (row.client_address ?? ''),
    tls: row.tls === 1,
    mocked: row.mocked === 1,
    request: {
      method: row.method,
      url: row.url,
      host: row.host,
      httpVersion: row.http_version,
      headers: parseHeaders(row.request_headers),
      ...optionalTrailers(row.request_trailers),
      bodySize: row.request_body_size,
      ...optionalBody(row.request_body, row.request_body_size, row.request_body_truncated, row.request_body_encoding, row.request_body_decoded),
    },
    timings: { startedAt: row.started_at, total: row.duration ?? 0, ...(row.first_byte != null ? { firstByte: row.first_byte } : {}) },
  };
  if (row.status !== null) {
    stored.response = {
      statusCode: row.status,
      statusMessage: row.status_message ?? '',
      httpVersion: row.response_http_version ?? row.http_version,
      headers: parseHeaders(row.response_headers),
      ...optionalTrailers(row.response_trailers),
      bodySize: row.response_body_size ?? 0,
      ...optionalBody(row.response_body, row.response_body_size ?? 0, row.response_body_truncated, row.response_body_encoding, row.response_body_decoded),
      ...(row.response_body_skipped ? { bodySkipped: row.response_body_skipped } : {}),
    };
  }
  if (row.error_code) stored.error = { code: row.error_code, message: row.error_message ?? '' };
  const websocket = parseJson<Omit<WebSocketRecord, 'messages'>>(row.websocket);
  if (websocket) stored.websocket = { ...websocket, droppedMessages: websocket.droppedMessages ?? 0, messages };
  const grpc = parseJson<GrpcRecord>(row.grpc);
  if (grpc) stored.grpc = grpc;
  return stored;
}

function optionalBody(bytes: Buffer | null, size: number, truncated: number, encoding: string | null, decoded: number): { body?: StoredBody } {
  if (!bytes || bytes.length === 0) return {};
  return { body: { bytes, size, truncated: truncated === 1, decoded: decoded === 1, ...(encoding ? { contentEncoding: encoding } : {}) } };
}

/** A JSON object column, or undefined when empty or unreadable. */
function parseJson<T>(json: string | null | undefined): T | undefined {
  if (!json) return undefined;
  try {
    const parsed: unknown = JSON.parse(json);
    return parsed && typeof parsed === 'object' ? (parsed as T) : undefined;
  } catch {
    return undefined;
  }
}

/** `{ trailers }` when the column holds a non-empty list, else nothing (the record's field is absent without trailers). */
function optionalTrailers(json: string | null | undefined): { trailers?: HeaderList } {
  const trailers = parseHeaders(json ?? null);
  return trailers.length ? { trailers } : {};
}

/** A stored JSON header list; anything unreadable is an empty list. */
export function parseHeaders(json: string | null): HeaderList {
  if (!json) return [];
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? (parsed as HeaderList) : [];
  } catch {
    return [];
  }
}
