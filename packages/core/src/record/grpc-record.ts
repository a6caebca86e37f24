/**
 * The gRPC part of an exchange record (`exchange.grpc`, set by `@capture/plugin-grpc`). Kept
 * JSON-plain (no bytes, no bigints, no class instances) so storage plugins can write it as is and
 * the web view's page can read it in the browser.
 */
import type { HeaderList } from '../exchange.js';

/** One field of a schema-less decoding, as `protoc --decode_raw` sees it. */
export type RawField =
  /** Wire type 0. `value` is the unsigned 64-bit value in decimal (a string: it may exceed 2^53). */
  | { readonly number: number; readonly wireType: 0; readonly kind: 'varint'; readonly value: string }
  /** Wire type 1. `value` is `0x` and 16 hex digits, as protoc prints it. */
  | { readonly number: number; readonly wireType: 1; readonly kind: 'fixed64'; readonly value: string }
  /** Wire type 5. `value` is `0x` and 8 hex digits, as protoc prints it. */
  | { readonly number: number; readonly wireType: 5; readonly kind: 'fixed32'; readonly value: string }
  /** Wire type 2 whose bytes parse whole as a message. */
  | { readonly number: number; readonly wireType: 2; readonly kind: 'message'; readonly message: RawMessage }
  /** Wire type 2 whose bytes are valid UTF-8 but not a message. */
  | { readonly number: number; readonly wireType: 2; readonly kind: 'string'; readonly value: string }
  /** Wire type 2 that is neither a message nor UTF-8: the bytes in base64. */
  | { readonly number: number; readonly wireType: 2; readonly kind: 'bytes'; readonly base64: string }
  /** Wire types 3 and 4 (the deprecated groups): the fields between start and end. */
  | { readonly number: number; readonly wireType: 3; readonly kind: 'group'; readonly message: RawMessage };

/** Where and why a schema-less decoding stopped early. */
export interface RawDecodeError {
  /** The byte offset (in the message being decoded) where the problem was found. */
  readonly offset: number;
  /** What was wrong, e.g. `truncated varint`, `invalid wire type 7`. */
  readonly reason: string;
}

/**
 * A message decoded without a schema. `fields` are in wire order; when the bytes were malformed,
 * `fields` holds every field decoded before the problem and `error` says where it stopped.
 */
export interface RawMessage {
  /** The fields decoded, in wire order (repeated numbers kept). */
  readonly fields: RawField[];
  /** Set when decoding stopped before the end of the bytes. */
  readonly error?: RawDecodeError;
}

/** One length-prefixed gRPC message of a request or response body. */
export interface GrpcMessage {
  /** The compressed flag of the message's prefix. */
  readonly compressed: boolean;
  /** The message's length as its prefix declares it (bytes on the wire, compressed if `compressed`). */
  readonly size: number;
  /**
   * True when fewer bytes than `size` were captured (the body hit the capture's `maxBodySize` or
   * the stream ended mid-message), or decompression stopped at the plugin's `maxDecodedSize`:
   * what is decoded is the message's start.
   */
  readonly truncated: boolean;
  /** For compressed messages: the `grpc-encoding` they were compressed with. */
  readonly encoding?: string;
  /** For compressed messages that were decompressed: the decompressed size kept. */
  readonly decodedSize?: number;
  /**
   * Set when the message could not be decoded (an encoding capture does not know, such as
   * `snappy`, or corrupt compressed data): `base64` then holds the bytes as captured.
   */
  readonly undecoded?: string;
  /** The schema-less decoding (`protoc --decode_raw`); absent when `undecoded`. */
  readonly raw?: RawMessage;
  /**
   * The message decoded by the `.proto` schema, as JSON: 64-bit integers as strings, bytes as
   * base64, enums by name (protobuf's JSON mapping, with the field names of the .proto file).
   */
  readonly json?: unknown;
  /** Why decoding by schema failed, when a schema type was known but the bytes did not fit it. */
  readonly schemaError?: string;
  /** The message's bytes in base64, when it is `undecoded` or its raw decoding stopped on an error. */
  readonly base64?: string;
}

/** What capture records about a gRPC or gRPC-Web call, as `exchange.grpc`. */
export interface GrpcRecord {
  /** The fully qualified service from the path `/package.Service/Method`, e.g. `shop.v1.Catalog`. */
  readonly service: string;
  /** The method, e.g. `GetItem`. */
  readonly method: string;
  /** True for gRPC-Web (`application/grpc-web*`), false for gRPC over HTTP/2. */
  readonly web: boolean;
  /** True for `application/grpc-web-text`, whose bodies are base64. */
  readonly text: boolean;
  /** `grpc-status` (0 OK … 16 UNAUTHENTICATED); absent when the call did not finish with one. */
  readonly status?: number;
  /** The status code's name, e.g. `NOT_FOUND` (`UNKNOWN_STATUS` for a number outside 0–16). */
  readonly statusName?: string;
  /** `grpc-message`, percent-decoded as the gRPC spec says. */
  readonly message?: string;
  /** Where `status` was found: the HTTP/2 trailers, the response headers (a trailers-only response) or the gRPC-Web trailer frame. */
  readonly statusFrom?: 'trailers' | 'headers' | 'trailer-frame';
  /** The gRPC-Web trailer frame as a header list, when the response carried one. */
  readonly trailers?: HeaderList;
  /** The request's `grpc-encoding`, if any. */
  readonly requestEncoding?: string;
  /** The response's `grpc-encoding`, if any. */
  readonly responseEncoding?: string;
  /** The request message type from the schema (`shop.v1.GetItemRequest`), when the method was found in the `.proto` files. */
  readonly requestType?: string;
  /** The response message type from the schema, when the method was found. */
  readonly responseType?: string;
  /** The messages the client sent, in order (at most `maxMessages`). */
  readonly requestMessages: GrpcMessage[];
  /** The messages the server sent, in order (at most `maxMessages`). */
  readonly responseMessages: GrpcMessage[];
  /** Messages beyond `maxMessages` in either direction: counted, not kept. */
  readonly omittedMessages: number;
  /** Problems with the bodies' framing (a base64 error in grpc-web-text, bytes after the trailer frame). */
  readonly problems?: string[];
}
