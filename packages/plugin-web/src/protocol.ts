/**
 * The web view's HTTP API as the page sees it: JSON shapes shared by the server (`server.ts`) and
 * the browser app (`app/`). Types only, no Node imports, so the app's build can include it.
 */

/**
 * An exchange's id in the view: `h<n>` for one read from history (its history id), `x<n>` for one
 * the view saw live and keeps in memory (the proxy's exchange id): filtered exchanges, and
 * captured ones not yet written or when history is not running.
 */
export type ViewId = string;

/** Why an exchange is marked in the list. */
export interface RowFlags {
  /** Not captured, with the reason (`filtered: exclude`, `paused`, …). */
  skipped?: string;
  /** The response body was not captured because it is media (image, audio, video). */
  media?: boolean;
  /** A body was larger than the capture limit and only its start was kept. */
  truncated?: boolean;
  /** The request came through intercepted TLS. */
  tls?: boolean;
  /** A plugin answered instead of the server. */
  mocked?: boolean;
  /** The exchange failed: the error code. */
  error?: string;
  /** A WebSocket connection that is still open (its row is updated when it closes). */
  open?: boolean;
}

/** One row of the list. */
export interface ExchangeSummary {
  id: ViewId;
  /** Epoch milliseconds the request started. */
  startedAt: number;
  method: string;
  url: string;
  /** `host[:port]`. */
  host: string;
  /** Path and query. */
  path: string;
  /** The response status; null without a response (failed, or not saved). */
  status: number | null;
  /** For a gRPC call with a `grpc-status`, the status the list shows instead of `status` (`grpc 5 NOT_FOUND`). */
  grpcStatus?: string;
  /** The response media type (`application/json`), or empty. */
  type: string;
  /** Response body bytes on the wire; null when unknown. */
  size: number | null;
  /** Milliseconds from the request head to the end of the response. */
  duration: number;
  /** Where it came from: `run:npm` for `capture run`, else the client's address. */
  source: string;
  flags: RowFlags;
}

/** A body prepared for reading. */
export interface BodyView {
  /** How it is shown. */
  kind: 'empty' | 'text' | 'json' | 'xml' | 'form' | 'image' | 'binary' | 'skipped';
  /** The media type from `Content-Type`. */
  type: string;
  /** Bytes on the wire. */
  size: number;
  /** Bytes captured (after decoding). */
  captured: number;
  /** Only the start was captured. */
  truncated: boolean;
  /** Why the body was not captured (`media`, …), for `skipped`. */
  skipped?: string;
  /** The text, pretty-printed for JSON and XML (capped for display). */
  text?: string;
  /** True when `text` was cut for display. */
  textCut?: boolean;
  /** Form fields, for URL-encoded and multipart forms (multipart files as a note). */
  fields?: Array<[name: string, value: string]>;
  /** A `data:` URL for a raster image whose body was kept. */
  dataUrl?: string;
  /** For binary bodies: the first bytes in hex. */
  hex?: string;
}

/** One WebSocket message, for the Messages pane. */
export interface MessageView {
  /** True for client → server. */
  fromClient: boolean;
  /** 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  opcode: number;
  /** Epoch milliseconds. */
  time: number;
  /** The payload's full size in bytes. */
  size: number;
  truncated: boolean;
  /** A text payload (capped for display). */
  text?: string;
  /** A JSON text payload, pretty-printed. */
  json?: string;
  /** A binary or control payload's first bytes in hex. */
  hex?: string;
}

/** A WebSocket connection's messages, for the Messages pane. */
export interface MessagesView {
  /** True while the connection is open: new messages come as `messages` events. */
  open?: boolean;
  messages: MessageView[];
  /** Messages not sent to the page (beyond the display cap) or not kept by capture. */
  omitted: number;
  closeCode?: number;
  closeReason?: string;
  closedBy?: string;
}

/** One exchange in full, for the detail pane. */
export interface ExchangeDetail extends ExchangeSummary {
  /** The HTTP version the client spoke (`1.1`, `2`); the response's `httpVersion` is the origin's, which can differ. */
  httpVersion: string;
  client: { address: string; port?: number };
  /** `trailers`: fields the client sent after the body (empty when none). */
  request: { headers: Array<[string, string]>; trailers: Array<[string, string]>; body: BodyView };
  /** `trailers`: fields the origin sent after the body (gRPC's `grpc-status`; empty when none). */
  response?: { statusCode: number; statusMessage: string; httpVersion: string; headers: Array<[string, string]>; trailers: Array<[string, string]>; body: BodyView };
  error?: { code: string; message: string };
  timings: { startedAt: number; firstByte?: number; total: number };
  /** For an upgraded WebSocket connection: its messages. */
  websocket?: MessagesView;
}

/** `GET /api/exchanges`. */
export interface ListResponse {
  exchanges: ExchangeSummary[];
  /** True when more matched than were returned (`limit`). */
  more: boolean;
}

/** What the capture settings panel shows (`GET /api/settings`). */
export interface SettingsView {
  /** Where the proxy listens, and `mode`: the mode it runs in as the start banner prints it (`forward proxy`, `reverse proxy for https://api.example.com`, `… via upstream proxy http://corp:3128`). */
  proxy: { host: string; port: number | null; url: string | null; mode: string };
  /** Where captured exchanges go: `history`, `collection`, both, or nothing. */
  saveTo: string[];
  /** Whether responses are saved (per storage plugin). */
  saveResponses: Record<string, boolean>;
  /** The capture filters in force, as the user wrote them; absent without the filters plugin. */
  filters?: { excludeAssets: boolean; include: string[]; exclude: string[]; methods: string[] };
  /** The collection and its grouping, with the collections plugin. */
  collection?: { name: string; groupBy: string[]; file: string | null };
  /** History's file and retention, with the history plugin. */
  history?: { file: string | null; maxEntries: number };
  /** True while capturing is paused from the view. */
  paused: boolean;
  /** What the view can do with the plugins that run. */
  can: { exportHar: boolean; exportPostman: boolean; exportOpenApi: boolean; curl: boolean; saveToCollection: boolean; clear: boolean };
  /** Plugins running. */
  plugins: string[];
}

/** `GET /api/exchanges/:id/openapi`: the OpenAPI operation an exchange belongs to. */
export interface OpenApiOperationView {
  /** `GET`, `POST`, … */
  method: string;
  /** The templated path, such as `/users/{userId}`. */
  path: string;
  /** The exchange's origin (the document's server). */
  server: string;
  /** The OpenAPI operation object: parameters, request body and responses with their schemas. */
  operation: unknown;
  /** Exchanges the operation was inferred from. */
  samples: number;
}

/** Server-sent events on `GET /api/events`: `event: <type>`, `data: <json>`. */
export interface EventMap {
  /** New exchanges matching the stream's query, oldest first. */
  exchanges: ExchangeSummary[];
  /** Capturing was paused or resumed. */
  paused: { paused: boolean };
  /** History was cleared: drop every row. */
  cleared: Record<string, never>;
  /** The stream fell behind and dropped events: reload the list. */
  reset: Record<string, never>;
  /**
   * New messages of an open WebSocket connection (every stream gets them; a page shows those of
   * the connection it has open). `from` is the index of the first in the connection's record;
   * `total` the messages so far; `reload` says some were not sent (too many at once): fetch the
   * detail again.
   */
  messages: { id: ViewId; from: number; messages: MessageView[]; total: number; reload?: boolean };
}
