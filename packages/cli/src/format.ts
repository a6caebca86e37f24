import pc from 'picocolors';
import { formatBytes, formatDuration, type Exchange } from '@capture/core';
import { formatGrpcStatus } from '@capture/plugin-grpc';

/** The colour functions picocolors gives (all identity functions when colours are off). */
type Colors = ReturnType<typeof pc.createColors>;

function colourStatus(status: number, colours: Colors): string {
  const text = String(status);
  if (status >= 500) return colours.red(text);
  if (status >= 400) return colours.yellow(text);
  if (status >= 300) return colours.cyan(text);
  return colours.green(text);
}

/**
 * One line for the live log: time, method, status, URL, size, duration, and what went wrong
 * or why it was not captured, and the source when it names a program (`[run:npm]`). Skipped exchanges are dimmed. Sizes and durations read as in the
 * web view and `capture history` (core's `formatBytes`, `formatDuration`).
 */
export function formatExchangeLine(exchange: Exchange, colours: Colors = pc): string {
  const time = new Date(exchange.timings.startedAt).toTimeString().slice(0, 8);
  const status = exchange.response ? colourStatus(exchange.response.statusCode, colours) : colours.red('---');
  const parts = [
    colours.dim(time),
    colours.bold(exchange.request.method || '???'),
    status,
    exchange.request.url || '(unparsed request)',
    formatBytes(exchange.sizes.responseBody),
    formatDuration(exchange.timings.total),
  ];
  if (exchange.grpc?.status !== undefined) {
    const grpc = formatGrpcStatus(exchange.grpc.status, exchange.grpc.message);
    parts.push(exchange.grpc.status === 0 ? colours.green(grpc) : colours.yellow(grpc));
  }
  if (exchange.websocket) parts.push(colours.cyan(webSocketSummary(exchange.websocket)));
  const version = httpVersionTag(exchange);
  if (version) parts.push(colours.dim(version));
  // A named source (`run:npm`) says which program sent it; a bare client address would be noise.
  if (exchange.source && exchange.source !== exchange.client.address) parts.push(colours.cyan(`[${exchange.source}]`));
  if (exchange.error) parts.push(colours.red(`${exchange.error.code}: ${exchange.error.message}`));
  if (exchange.mocked) parts.push(colours.magenta('mocked'));
  if (exchange.response?.bodySkipped === 'media') parts.push(colours.dim('(media: body not captured)'));
  if (exchange.skip) return colours.dim(`${parts.join(' ')} (not captured: ${exchange.skip.reason})`);
  return parts.join(' ');
}

/** `ws 12 messages, closed 1000 by client` for an upgraded connection once it is over. */
function webSocketSummary(websocket: NonNullable<Exchange['websocket']>): string {
  const count = websocket.messages.length + websocket.droppedMessages;
  const closed = websocket.closeCode === undefined ? 'closed' : `closed ${websocket.closeCode}`;
  return `ws ${count} message${count === 1 ? '' : 's'}, ${closed}${websocket.closedBy ? ` by ${websocket.closedBy}` : ''}`;
}

/**
 * `h2` when HTTP/2 was spoken on both legs, `h2→1.1` or `1.1→h2` when capture translated between
 * the client's version and the origin's; nothing for plain HTTP/1.x, the common case.
 */
function httpVersionTag(exchange: Exchange): string | undefined {
  const client = exchange.request.httpVersion;
  const origin = exchange.response?.httpVersion ?? client;
  if (client !== '2' && origin !== '2') return undefined;
  const name = (version: string) => (version === '2' ? 'h2' : version);
  return client === origin ? 'h2' : `${name(client)}→${name(origin)}`;
}

/** The JSON object printed per exchange with `--json`: a summary, without bodies. */
export function exchangeSummary(exchange: Exchange): Record<string, unknown> {
  return {
    id: exchange.id,
    time: new Date(exchange.timings.startedAt).toISOString(),
    method: exchange.request.method,
    url: exchange.request.url,
    status: exchange.response?.statusCode ?? null,
    durationMs: Math.round(exchange.timings.total * 10) / 10,
    ttfbMs: exchange.timings.firstByte === undefined ? null : Math.round(exchange.timings.firstByte * 10) / 10,
    requestBytes: exchange.sizes.requestBody,
    responseBytes: exchange.sizes.responseBody,
    client: exchange.client.address,
    source: exchange.source,
    tls: exchange.tls,
    httpVersion: exchange.request.httpVersion,
    upstreamHttpVersion: exchange.response?.httpVersion ?? null,
    mocked: exchange.mocked,
    captured: !exchange.skip,
    skipReason: exchange.skip?.reason ?? null,
    bodySkipped: exchange.response?.bodySkipped ?? null,
    error: exchange.error ?? null,
    grpcStatus: exchange.grpc?.status ?? null,
    websocketMessages: exchange.websocket ? exchange.websocket.messages.length + exchange.websocket.droppedMessages : null,
  };
}
