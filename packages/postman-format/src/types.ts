/**
 * The shapes this package reads and the Postman Collection v2.1.0 shapes it writes. What it reads
 * is the part of `@capture/core`'s one exchange record (`StoredExchange`, from
 * `@capture/core/record`) that a collection needs, so stored records (history, the web view) and
 * the core's live `Exchange` objects (the collections plugin) both fit.
 */
import type { StoredBody, StoredExchange, StoredRequest, StoredResponse } from '@capture/core/record';

/** Headers in wire order, `[name, value]`, names in the case they were sent. */
export type HeaderPairs = ReadonlyArray<readonly [name: string, value: string]>;

/**
 * A captured body: `StoredBody`'s `bytes` (decoded from `Content-Encoding` when `decoded` is
 * true), and whether only its start was captured (`truncated`).
 */
export type SourceBody = Readonly<Pick<StoredBody, 'bytes'> & Partial<Pick<StoredBody, 'truncated' | 'decoded'>>>;

/** The request half of a captured exchange: `StoredRequest`'s method, URL, headers and body. */
export interface SourceRequest extends Readonly<Pick<StoredRequest, 'method' | 'url'>> {
  /** Headers as the client sent them. */
  readonly headers: HeaderPairs;
  /** The body, when one was captured. */
  readonly body?: SourceBody | undefined;
}

/** The response half of a captured exchange: `StoredResponse`'s status, headers and body. */
export interface SourceResponse extends Readonly<Pick<StoredResponse, 'statusCode'>> {
  /** The reason phrase, e.g. `OK`. */
  readonly statusMessage?: StoredResponse['statusMessage'] | undefined;
  /** Headers as the server sent them. */
  readonly headers: HeaderPairs;
  /** The body, when one was captured. */
  readonly body?: SourceBody | undefined;
  /** Why the body was not captured (e.g. `media`), if it was deliberately left out. */
  readonly bodySkipped?: StoredResponse['bodySkipped'] | undefined;
}

/** A captured exchange (a `StoredExchange`, or anything of its shape): a request and, when it was saved, its response. */
export interface SourceExchange {
  /** What the client sent. */
  readonly request: SourceRequest;
  /** What came back; absent when it failed or responses were not saved. */
  readonly response?: SourceResponse | undefined;
  /** When it happened; `total` is the time taken in milliseconds. */
  readonly timings?: Readonly<Partial<Pick<StoredExchange['timings'], 'startedAt' | 'total'>>> | undefined;
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
  /**
   * A file field. `src` is always null: a captured file name is the client's word, and a path
   * there would make a collection runner (newman) upload that local file. The captured name is in
   * `description` (and in the request's description).
   */
  | { key: string; src: null; type: 'file'; contentType?: string; description?: string };

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
