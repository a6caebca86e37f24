/**
 * The shapes this package reads (a captured exchange, structurally the same as `@capture/core`'s
 * `Exchange`, so the core's objects and stored records both fit) and the Postman Collection
 * v2.1.0 shapes it writes.
 */

/** Headers in wire order, `[name, value]`, names in the case they were sent. */
export type HeaderPairs = ReadonlyArray<readonly [name: string, value: string]>;

/** A captured body. */
export interface SourceBody {
  /** The bytes captured (decoded from `Content-Encoding` when `decoded` is true). */
  readonly bytes: Uint8Array;
  /** True when only the start of the body was captured. */
  readonly truncated?: boolean;
  /** True when `bytes` were decoded from the `Content-Encoding` the headers name. */
  readonly decoded?: boolean;
}

/** The request half of a captured exchange. */
export interface SourceRequest {
  /** The method, e.g. `POST`. */
  readonly method: string;
  /** The absolute URL. */
  readonly url: string;
  /** Headers as the client sent them. */
  readonly headers: HeaderPairs;
  /** The body, when one was captured. */
  readonly body?: SourceBody | undefined;
}

/** The response half of a captured exchange. */
export interface SourceResponse {
  /** The status code, e.g. `200`. */
  readonly statusCode: number;
  /** The reason phrase, e.g. `OK`. */
  readonly statusMessage?: string | undefined;
  /** Headers as the server sent them. */
  readonly headers: HeaderPairs;
  /** The body, when one was captured. */
  readonly body?: SourceBody | undefined;
  /** Why the body was not captured (e.g. `media`), if it was deliberately left out. */
  readonly bodySkipped?: string | undefined;
}

/** A captured exchange: a request and, when it was saved, its response. */
export interface SourceExchange {
  /** What the client sent. */
  readonly request: SourceRequest;
  /** What came back; absent when it failed or responses were not saved. */
  readonly response?: SourceResponse | undefined;
  /** When it happened; `total` is the time taken in milliseconds. */
  readonly timings?: { readonly startedAt?: number; readonly total?: number } | undefined;
}

/** A Postman header. */
export interface PostmanHeader {
  key: string;
  value: string;
  disabled?: boolean;
}

/** A Postman query parameter. */
export interface PostmanQueryParam {
  key: string | null;
  value: string | null;
}

/** A Postman URL, broken down as Postman stores it. */
export interface PostmanUrl {
  raw: string;
  protocol: string;
  host: string[];
  port?: string;
  path: string[];
  query?: PostmanQueryParam[];
  hash?: string;
}

/** A `urlencoded` body parameter. */
export interface PostmanUrlEncodedParam {
  key: string;
  value: string;
  type: 'text';
}

/** A `formdata` body parameter: a text field or a file field. */
export type PostmanFormParam =
  | { key: string; value: string; type: 'text'; contentType?: string }
  | { key: string; src: string | null; type: 'file'; contentType?: string };

/** The body modes of Postman v2.1.0. */
export type PostmanBody =
  | { mode: 'raw'; raw: string; options?: { raw: { language: PostmanLanguage } } }
  | { mode: 'urlencoded'; urlencoded: PostmanUrlEncodedParam[] }
  | { mode: 'formdata'; formdata: PostmanFormParam[] }
  | { mode: 'file'; file: { src: string | null } }
  | { mode: 'graphql'; graphql: { query: string; variables?: string } };

/** The languages Postman's raw body editor highlights. */
export type PostmanLanguage = 'json' | 'xml' | 'html' | 'javascript' | 'text';

/** A Postman request. */
export interface PostmanRequest {
  method: string;
  header: PostmanHeader[];
  url: PostmanUrl;
  body?: PostmanBody;
  description?: string;
}

/** A saved response (an "example" in Postman). */
export interface PostmanResponse {
  name: string;
  originalRequest: PostmanRequest;
  status: string;
  code: number;
  _postman_previewlanguage: PostmanLanguage;
  header: PostmanHeader[];
  cookie: never[];
  body: string | null;
  responseTime: number | null;
}

/** A request item, with its saved responses. */
export interface PostmanItem {
  name: string;
  request: PostmanRequest;
  response: PostmanResponse[];
}

/** A folder of items (Postman's "item-group"). */
export interface PostmanFolder {
  name: string;
  item: Array<PostmanItem | PostmanFolder>;
  description?: string;
}

/** A whole collection. */
export interface PostmanCollection {
  info: { _postman_id: string; name: string; description?: string; schema: typeof POSTMAN_COLLECTION_SCHEMA };
  item: Array<PostmanItem | PostmanFolder>;
}

/** The `info.schema` of every Postman Collection v2.1.0. */
export const POSTMAN_COLLECTION_SCHEMA = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' as const;
