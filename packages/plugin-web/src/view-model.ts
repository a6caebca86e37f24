import { getHeader, toStoredExchange, type Exchange, type StoredExchange } from '@capture/core';
import { grpcStatusLine, mediaType } from '@capture/postman-format';
import type { HistorySummary } from '@capture/plugin-history';
import { toBodyView } from './body-view.js';
import { toMessagesView } from './messages-view.js';
import type { ExchangeDetail, ExchangeSummary, RowFlags, ViewId } from './protocol.js';

/** An exchange the view can show: core's exchange record, its view id, and why it was not captured. */
export interface ViewExchange extends StoredExchange {
  viewId: ViewId;
  /** The skip reason, for exchanges that were not captured. */
  skipped?: string;
  /** A WebSocket connection still open (`websocket` is its live record). */
  open?: boolean;
}

/** The path and query of a URL. */
export function pathOf(url: string): string {
  const match = /^[a-z]+:\/\/[^/?#]*([^#]*)/i.exec(url);
  const rest = match?.[1] ?? '';
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * An exchange the proxy just completed in the stored shape, as history will read it back
 * (bodies referenced, not copied); the response is kept whatever storage saves, since the view
 * shows it live.
 */
export function fromLiveExchange(exchange: Exchange): ViewExchange {
  const view: ViewExchange = { ...toStoredExchange(exchange), viewId: `x${exchange.id}` };
  if (exchange.skip?.reason) view.skipped = exchange.skip.reason;
  return view;
}

/** Gives a stored exchange from history its view id. */
export function fromStoredExchange(stored: StoredExchange): ViewExchange {
  return { ...stored, viewId: `h${stored.id}` };
}

function optional<K extends string, V>(key: K, value: V | undefined | null | false | ''): { [P in K]?: V } {
  return value === undefined || value === null || value === false || value === '' ? {} : ({ [key]: value } as { [P in K]: V });
}

/** The flags of a row, from whichever details the source has. */
function flagsOf(parts: { skipped?: string | undefined; bodySkipped?: string | null | undefined; truncated?: boolean | undefined; tls?: boolean | undefined; mocked?: boolean | undefined; error?: string | null | undefined; open?: boolean | undefined }): RowFlags {
  const flags: RowFlags = {};
  if (parts.open) flags.open = true;
  if (parts.skipped) flags.skipped = parts.skipped;
  if (parts.bodySkipped === 'media') flags.media = true;
  if (parts.truncated) flags.truncated = true;
  if (parts.tls) flags.tls = true;
  if (parts.mocked) flags.mocked = true;
  if (parts.error) flags.error = parts.error;
  return flags;
}

/** The list row for an exchange. */
export function summaryOf(view: ViewExchange): ExchangeSummary {
  const { request, response } = view;
  return {
    id: view.viewId,
    startedAt: view.timings.startedAt,
    method: request.method,
    url: request.url,
    host: request.host,
    path: pathOf(request.url),
    status: response?.statusCode ?? null,
    ...optional('grpcStatus', response && grpcStatusLine(response.headers, response.trailers)),
    type: response ? mediaType(getHeader(response.headers, 'content-type')).type : '',
    size: response ? response.bodySize : null,
    // An open connection's duration is how long it has been open so far.
    duration: view.open ? Math.max(0, Date.now() - view.timings.startedAt) : view.timings.total,
    source: view.source ?? view.client.address,
    flags: flagsOf({
      skipped: view.skipped,
      bodySkipped: response?.bodySkipped,
      truncated: Boolean(request.body?.truncated || response?.body?.truncated),
      tls: view.tls,
      mocked: view.mocked,
      error: view.error?.code,
      open: view.open,
    }),
  };
}

/** The list row for one of history's summaries. */
export function summaryOfHistoryRow(row: HistorySummary): ExchangeSummary {
  return {
    id: `h${row.id}`,
    startedAt: row.startedAt,
    method: row.method,
    url: row.url,
    host: row.host,
    path: pathOf(row.url),
    status: row.status,
    ...optional('grpcStatus', row.grpcStatus),
    type: row.contentType ? mediaType(row.contentType).type : '',
    size: row.size,
    duration: row.duration,
    source: row.source,
    flags: flagsOf({ bodySkipped: row.bodySkipped, truncated: row.truncated, tls: row.tls, mocked: row.mocked, error: row.errorCode, open: row.open }),
  };
}

/** Everything the detail pane shows. */
export function detailOf(view: ViewExchange): ExchangeDetail {
  const { request, response } = view;
  const detail: ExchangeDetail = {
    ...summaryOf(view),
    httpVersion: request.httpVersion,
    client: { address: view.client.address, ...optional('port', view.client.port) },
    request: {
      headers: request.headers,
      trailers: request.trailers ?? [],
      body: toBodyView({ bytes: request.body?.bytes, truncated: request.body?.truncated, size: request.bodySize, headers: request.headers }),
    },
    timings: view.timings,
    ...optional('error', view.error),
    ...optional('websocket', view.websocket && toMessagesView(view.websocket, view.open)),
  };
  if (response) {
    detail.response = {
      statusCode: response.statusCode,
      statusMessage: response.statusMessage,
      httpVersion: response.httpVersion,
      headers: response.headers,
      trailers: response.trailers ?? [],
      body: toBodyView({ bytes: response.body?.bytes, truncated: response.body?.truncated, size: response.bodySize, skipped: response.bodySkipped, headers: response.headers }),
    };
  }
  return detail;
}
