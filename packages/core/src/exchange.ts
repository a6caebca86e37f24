import type { GrpcRecord } from './record/grpc-record.js';
import type { WebSocketRecord } from './record/websocket-record.js';

/**
 * A header list in wire order, each entry `[name, value]` with the name's case as received.
 * Kept as a list (not a map) because header order and repeated headers matter to
 * people reading a capture and to servers that fingerprint clients.
 */
export type HeaderList = Array<[name: string, value: string]>;

/** A body as the proxy captured it for plugins: what was forwarded is never changed by this. */
export interface CapturedBody {
  /** The captured bytes, decoded from `Content-Encoding` when `decoded` is true; at most `maxBodySize` bytes. */
  readonly bytes: Buffer;
  /** How many bytes crossed the wire for this body (before decoding), including any not captured. */
  readonly size: number;
  /** True when the body was larger than `maxBodySize` (or its decoding was), so `bytes` holds only its start. */
  readonly truncated: boolean;
  /** The `Content-Encoding` the body had on the wire, if any (`gzip`, `deflate`, `br`). */
  readonly contentEncoding?: string;
  /** True when `bytes` holds the body decoded from `contentEncoding`; false when it is as on the wire. */
  readonly decoded: boolean;
}

/** Why a body was not captured although it was forwarded. */
export type BodySkipReason = 'media' | 'upgrade' | (string & {});

/** The request half of an exchange. */
export interface ExchangeRequest {
  /** The method as sent by the client, e.g. `GET`. */
  method: string;
  /** The absolute URL, `http://` or `https://` (with the HTTPS plugin). */
  url: string;
  /** `1.1`, `1.0`, or `2` for HTTP/2. */
  httpVersion: string;
  /**
   * Request headers as the client sent them (before hop-by-hop removal). HTTP/2 names are lower
   * case, and its pseudo-headers (`:method`, `:path`, `:authority`, `:scheme`) are not in the
   * list: they are the method and the URL.
   */
  headers: HeaderList;
  /** The captured body, absent when the request had none or it was not captured. */
  body?: CapturedBody;
  /** Trailer fields the client sent after the body (HTTP/2, or chunked HTTP/1.1); absent when none. */
  trailers?: HeaderList;
}

/** The response half of an exchange. */
export interface ExchangeResponse {
  /** The status code, e.g. `200`. */
  statusCode: number;
  /** The reason phrase, e.g. `OK`. */
  statusMessage: string;
  /** What the upstream spoke: `1.1`, `1.0`, or `2` for HTTP/2 (`1.1` for answers capture made itself). */
  httpVersion: string;
  /** Response headers as the upstream sent them (HTTP/2: lower case, without `:status`). */
  headers: HeaderList;
  /** Trailer fields the upstream sent after the body (e.g. gRPC's `grpc-status`); absent when none. */
  trailers?: HeaderList;
  /** The captured body, absent when there was none or it was not captured. */
  body?: CapturedBody;
  /** Set when the response body was deliberately not captured (e.g. `media` for images, audio and video). */
  bodySkipped?: BodySkipReason;
}

/** A machine-readable cause for a failed exchange. */
export type ExchangeErrorCode =
  | 'UPSTREAM_UNREACHABLE'
  | 'UPSTREAM_TIMEOUT'
  | 'UPSTREAM_RESET'
  | 'UPSTREAM_BAD_RESPONSE'
  /** The upstream proxy (`upstreamProxy`) refused (407) or failed; the message names it, never its credentials. */
  | 'UPSTREAM_PROXY_FAILED'
  | 'CLIENT_ABORTED'
  /** An HTTP/2 stream was reset (RST_STREAM) by the client or the origin; other streams go on. */
  | 'STREAM_RESET'
  | 'BAD_REQUEST'
  | 'HEADERS_TOO_LARGE'
  /** An `onUpstreamAddress` tap refused the address the connection would go to (answered 403). */
  | 'ADDRESS_REFUSED'
  | 'PLUGIN_ERROR';

/** What went wrong in an exchange; present only on failed exchanges. */
export interface ExchangeError {
  /** The category of failure. */
  code: ExchangeErrorCode;
  /** A short human-readable reason, also sent to the client in error responses. */
  message: string;
}

/** Milliseconds, measured with a monotonic clock from the moment the request head was parsed. */
export interface ExchangeTimings {
  /** Wall-clock time (epoch milliseconds) the request head arrived. */
  startedAt: number;
  /** Time until the upstream response head arrived (time to first byte), if it did. */
  firstByte?: number;
  /** Time until the exchange completed (response fully sent, or failed). */
  total: number;
}

/** Byte counts as seen on the wire (bodies only; headers are not counted). */
export interface ExchangeSizes {
  /** Request body bytes received from the client. */
  requestBody: number;
  /** Response body bytes received from the upstream (or the mock). */
  responseBody: number;
}

/** The client end of an exchange. */
export interface ClientInfo {
  /** The client's IP address (IPv4-mapped IPv6 addresses are given as plain IPv4). */
  address: string;
  /** The client's source port. */
  port: number;
}

/** Why an exchange is not handed to storage plugins, and who decided it. */
export interface SkipDecision {
  /** A short reason such as `filtered: method`, shown in the live log. */
  reason: string;
  /** The name of the plugin that decided it. */
  by: string;
}

/**
 * One completed request/response pair: what `onExchange` hands to storage plugins.
 * Plugins may annotate `meta` under their own name; everything else is set by the core.
 */
export interface Exchange {
  /** A process-unique, monotonically increasing id. */
  id: number;
  /** The client that sent the request. */
  client: ClientInfo;
  /**
   * Where the exchange came from: the client's address (`127.0.0.1`) by default, or the source
   * registered for the proxy credentials the client sent (`run:npm`, see
   * `CaptureProxy.addClientSource`); decrypted connections inherit their CONNECT's.
   */
  source: string;
  /** True when the request arrived over TLS that the proxy terminated (HTTPS interception). */
  tls: boolean;
  /** The request as received. */
  request: ExchangeRequest;
  /** The response as forwarded to the client; absent when the exchange failed before one. */
  response?: ExchangeResponse;
  /** Present when the exchange failed. */
  error?: ExchangeError;
  /** When things happened. */
  timings: ExchangeTimings;
  /** How many body bytes moved. */
  sizes: ExchangeSizes;
  /** True when a plugin answered the request itself instead of the upstream. */
  mocked: boolean;
  /** Set when the exchange is not to be stored; such exchanges go to `onSkipped`, never `onExchange`. */
  skip?: SkipDecision;
  /**
   * For an upgraded WebSocket connection: its messages and how it closed, set by the plugin that
   * relayed it (`@capture/plugin-websocket`) when the connection is over.
   */
  websocket?: WebSocketRecord;
  /** For a gRPC or gRPC-Web call: its messages and status, set by `@capture/plugin-grpc`. */
  grpc?: GrpcRecord;
  /** Free-form annotations by plugins, keyed by plugin name. */
  meta: Record<string, unknown>;
}

/** Looks a header up case-insensitively; returns the first value or undefined. */
export function getHeader(headers: HeaderList, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of headers) {
    if (key.length === wanted.length && key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/** Converts Node's flat `rawHeaders` array into a header list. */
export function headerListFromRaw(raw: readonly string[]): HeaderList {
  const list: HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) list.push([raw[i]!, raw[i + 1]!]);
  return list;
}

/**
 * A client's request headers as capture records them: without `Proxy-Authorization` and
 * `Proxy-Connection`, which were meant for capture and are consumed by it, so they are never
 * stored, exported or (the forwarded headers start from this list) sent to the origin. HTTP/2
 * pseudo-headers (`:path`…) are left out too: they are the request's method and URL.
 */
export function requestHeaderListFromRaw(raw: readonly string[]): HeaderList {
  const list: HeaderList = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    // HTTP/2 pseudo-headers are the method and the URL, recorded as such.
    if (name.charCodeAt(0) === 58) continue;
    // The length test keeps the lowercasing off nearly every header.
    if ((name.length === 19 || name.length === 16) && isProxyHeader(name.toLowerCase())) continue;
    list.push([name, raw[i + 1]!]);
  }
  return list;
}

function isProxyHeader(lower: string): boolean {
  return lower === 'proxy-authorization' || lower === 'proxy-connection';
}

/** Converts the raw header buffers of an HTTP client (undici) into a header list. */
export function headerListFromRawBuffers(raw: ReadonlyArray<Buffer | string> | null | undefined | object): HeaderList {
  const list: HeaderList = [];
  if (!Array.isArray(raw)) return list;
  for (let i = 0; i + 1 < raw.length; i += 2) list.push([raw[i]!.toString('latin1'), raw[i + 1]!.toString('latin1')]);
  return list;
}
