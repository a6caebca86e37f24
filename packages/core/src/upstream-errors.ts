import type { ExchangeError } from './exchange.js';

/** An upstream failure as the client is told about it. */
export interface UpstreamFailure extends ExchangeError {
  /** 502 or 504. */
  status: number;
}

/** The error raised on purpose when the upstream stays silent past `upstreamTimeout`. */
export class UpstreamTimeoutError extends Error {
  readonly code = 'UPSTREAM_TIMEOUT';
  constructor(readonly timeout: number) {
    super(`upstream did not respond within ${timeout / 1000} s`);
  }
}

/** Maps a Node error from the upstream connection to the status and reason the client gets. */
export function classifyUpstreamError(error: Error & { code?: string }, authority: string, timeoutMs?: number): UpstreamFailure {
  const code = error.code ?? '';
  if (code === 'UPSTREAM_PROXY_FAILED') return { status: 502, code: 'UPSTREAM_PROXY_FAILED', message: error.message };
  if (code === 'ADDRESS_REFUSED') return { status: 403, code: 'ADDRESS_REFUSED', message: error.message };
  if (error instanceof UpstreamTimeoutError) {
    return { status: 504, code: 'UPSTREAM_TIMEOUT', message: `${authority}: ${error.message}` };
  }
  if (code === 'STREAM_RESET') {
    return { status: 502, code: 'STREAM_RESET', message: `${authority}: ${error.message}` };
  }
  if (code === 'ERR_HTTP2_STREAM_ERROR' || code === 'ERR_HTTP2_SESSION_ERROR' || code === 'ERR_HTTP2_GOAWAY_SESSION' || code === 'ERR_HTTP2_STREAM_CANCEL') {
    return { status: 502, code: 'STREAM_RESET', message: `${authority} ended the HTTP/2 stream before responding (${code})` };
  }
  if (code === 'ERR_HTTP2_ERROR' || code === 'ERR_HTTP2_INVALID_HEADER_VALUE' || code === 'ERR_HTTP2_HEADER_SINGLE_VALUE') {
    return { status: 502, code: 'UPSTREAM_BAD_RESPONSE', message: `${authority} sent an HTTP/2 response capture cannot read (${code})` };
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return { status: 504, code: 'UPSTREAM_TIMEOUT', message: `${authority}: upstream did not respond within ${(timeoutMs ?? 0) / 1000} s` };
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return { status: 502, code: 'UPSTREAM_UNREACHABLE', message: `cannot reach ${authority} (connect timeout)` };
  }
  if (code === 'UND_ERR_SOCKET' || code === 'UND_ERR_CLOSED' || code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code;
    if (cause && cause !== code) return classifyUpstreamError(Object.assign(new Error(error.message), { code: cause }), authority, timeoutMs);
    return { status: 502, code: 'UPSTREAM_RESET', message: `${authority} closed the connection before responding` };
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NODATA' || code === 'EAI_FAIL') {
    return { status: 502, code: 'UPSTREAM_UNREACHABLE', message: `cannot resolve host ${authority} (${code})` };
  }
  if (code === 'ECONNREFUSED') {
    return { status: 502, code: 'UPSTREAM_UNREACHABLE', message: `${authority} refused the connection` };
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'ETIMEDOUT') {
    return { status: 502, code: 'UPSTREAM_UNREACHABLE', message: `cannot reach ${authority} (${code})` };
  }
  if (code.startsWith('HPE_') || error.name === 'HTTPParserError') {
    return { status: 502, code: 'UPSTREAM_BAD_RESPONSE', message: `${authority} sent a malformed HTTP response (${code || error.message})` };
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || error.message === 'socket hang up') {
    return { status: 502, code: 'UPSTREAM_RESET', message: `${authority} closed the connection before responding` };
  }
  if (code === 'EPROTO' || code.startsWith('ERR_SSL')) {
    // OpenSSL's own text (`error:0A00010B:SSL routines:…`) says nothing to a user: one sentence instead.
    return { status: 502, code: 'UPSTREAM_UNREACHABLE', message: `TLS with ${authority} failed: the origin does not speak TLS there or offers nothing capture accepts (${code})` };
  }
  if (code.startsWith('ERR_TLS') || code.includes('CERT') || code === 'DEPTH_ZERO_SELF_SIGNED_CERT') {
    return { status: 502, code: 'UPSTREAM_UNREACHABLE', message: `TLS with ${authority} failed: ${error.message} (${code})` };
  }
  return { status: 502, code: 'UPSTREAM_UNREACHABLE', message: `${authority}: ${error.message}${code ? ` (${code})` : ''}` };
}
