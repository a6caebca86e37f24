import type { HeaderList } from '../exchange.js';
import type { GrpcRecord } from './grpc-record.js';
import type { WebSocketRecord } from './websocket-record.js';

/**
 * A body as storage gives it back (history, the web view's live store). The bytes are
 * `Uint8Array` so the type holds in the browser too; on Node they are Buffers.
 */
export interface StoredBody {
  /** The captured bytes (decoded from `contentEncoding` when `decoded`). */
  bytes: Uint8Array;
  /** Bytes on the wire, including any not captured. */
  size: number;
  /** True when only the start was captured (`maxBodySize`). */
  truncated: boolean;
  /** The wire `Content-Encoding`, if any. */
  contentEncoding?: string;
  /** True when `bytes` were decoded from `contentEncoding`. */
  decoded: boolean;
}

/** The request half of a {@link StoredExchange}. */
export interface StoredRequest {
  /** The method as the client sent it. */
  method: string;
  /** The absolute URL. */
  url: string;
  /** `host[:port]` of the URL as {@link hostOf} gives it. */
  host: string;
  /** The HTTP version the client spoke (`1.1`, `1.0`, `2`). */
  httpVersion: string;
  /** The headers as the client sent them. */
  headers: HeaderList;
  /** Trailer fields the client sent after the body; absent when none. */
  trailers?: HeaderList;
  /** The captured body, absent when there was none or it was not captured. */
  body?: StoredBody;
  /** Bytes the request body had on the wire. */
  bodySize: number;
}

/** The response half of a {@link StoredExchange}. */
export interface StoredResponse {
  /** The status code. */
  statusCode: number;
  /** The reason phrase. */
  statusMessage: string;
  /** The HTTP version the upstream spoke (`1.1`, `1.0`, `2`). */
  httpVersion: string;
  /** The headers as the upstream sent them. */
  headers: HeaderList;
  /** Trailer fields the upstream sent after the body (gRPC's `grpc-status`); absent when none. */
  trailers?: HeaderList;
  /** The captured body, absent when there was none or it was not captured. */
  body?: StoredBody;
  /** Bytes the response body had on the wire. */
  bodySize: number;
  /** Why the body was forwarded but not captured (`media`, `upgrade`). */
  bodySkipped?: string;
}

/**
 * An exchange as storage keeps it and exports read it: the one record history writes, the web
 * view shows, and postman-format, the HAR and curl exports and the CLI convert. Live exchanges
 * become this shape with {@link toStoredExchange}.
 */
export interface StoredExchange {
  /** The id (in history: stable across restarts, never reused). */
  id: number;
  /** The client that sent it. */
  client: { address: string; port: number | undefined };
  /** Where it came from (`run:npm`, or the client's address); absent in records made before sources existed. */
  source?: string;
  /** True when it arrived over intercepted TLS. */
  tls: boolean;
  /** True when a plugin answered it instead of the upstream. */
  mocked: boolean;
  /** The request as received. */
  request: StoredRequest;
  /** Absent when the response was not saved or never came. */
  response?: StoredResponse;
  /** Present when the exchange failed. */
  error?: { code: string; message: string };
  /** When things happened, in milliseconds (`startedAt` is epoch time). */
  timings: { startedAt: number; total: number; firstByte?: number };
  /** For an upgraded WebSocket connection: its messages and how it closed. */
  websocket?: WebSocketRecord;
  /** For a gRPC or gRPC-Web call: its messages and status. */
  grpc?: GrpcRecord;
}
