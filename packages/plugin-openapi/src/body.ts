import type { StoredBody } from '@capture/core/record';

/** A captured body as the generator reads it. */
export type ParsedBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'form'; fields: Array<[string, string]> }
  | { kind: 'text' }
  | { kind: 'binary' }
  /** Captured only in part, or not valid for its type: seen, but no schema can come from it. */
  | { kind: 'unreadable' };

/** `application/json` from `Application/JSON; charset=utf-8`; `application/octet-stream` when absent. */
export function mediaTypeOf(contentType: string | undefined): string {
  const essence = contentType?.split(';')[0]?.trim().toLowerCase();
  return essence || 'application/octet-stream';
}

/** True for `application/json` and `application/*+json`. */
export function isJsonType(mediaType: string): boolean {
  return mediaType === 'application/json' || /^application\/[\w.-]+\+json$/.test(mediaType) || mediaType === 'text/json';
}

/** True for types whose bytes are text. */
function isTextType(mediaType: string): boolean {
  return mediaType.startsWith('text/') || isJsonType(mediaType) || /[+/](xml|javascript|ecmascript|x-www-form-urlencoded|graphql|yaml)$/.test(mediaType);
}

/** Reads a body for schema inference; undefined when there is none. */
export function parseBody(body: StoredBody | undefined, mediaType: string): ParsedBody | undefined {
  if (!body || body.bytes.length === 0) return undefined;
  // Bytes still compressed (the proxy could not decode them) say nothing about the structure.
  if (body.truncated || (body.contentEncoding && !body.decoded)) return { kind: 'unreadable' };
  if (!isTextType(mediaType)) return { kind: 'binary' };
  const text = Buffer.from(body.bytes.buffer, body.bytes.byteOffset, body.bytes.byteLength).toString('utf8');
  if (isJsonType(mediaType)) {
    try {
      return { kind: 'json', value: JSON.parse(text) as unknown };
    } catch {
      return { kind: 'unreadable' };
    }
  }
  if (mediaType === 'application/x-www-form-urlencoded') return { kind: 'form', fields: [...new URLSearchParams(text)] };
  return { kind: 'text' };
}

/**
 * A query or form value as the JSON value it most likely stands for: `2` an integer, `1.5` a
 * number, `true` a boolean, anything else (including `007`, whose zero matters) a string.
 */
export function scalarFromText(text: string): string | number | boolean {
  if (/^-?(0|[1-9]\d{0,14})$/.test(text)) return Number(text);
  if (/^-?(0|[1-9]\d{0,14})\.\d+$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  return text;
}
