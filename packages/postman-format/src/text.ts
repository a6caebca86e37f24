import { parse as parseContentType } from 'content-type';
import type { HeaderPairs } from './types.js';

/** Finds a header case-insensitively; the first value, or undefined. */
export function headerValue(headers: HeaderPairs, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of headers) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** A parsed `Content-Type`: the lower-cased media type and its parameters. */
export interface MediaType {
  /** E.g. `application/json`; empty when there was no valid header. */
  type: string;
  /** E.g. `{ charset: 'utf-8' }`. */
  parameters: Record<string, string>;
}

/** Parses a `Content-Type` value; a missing or malformed one gives an empty type rather than throwing. */
export function mediaType(contentType: string | undefined): MediaType {
  if (!contentType) return { type: '', parameters: {} };
  try {
    const parsed = parseContentType(contentType);
    return { type: parsed.type.toLowerCase(), parameters: parsed.parameters };
  } catch {
    return { type: contentType.split(';')[0]!.trim().toLowerCase(), parameters: {} };
  }
}

const TEXT_TYPES = /^(text\/|application\/(?:[\w.+-]*\+)?(?:json|xml|javascript|ecmascript|x-www-form-urlencoded|graphql|x-ndjson|yaml|x-yaml|csv|sql)\b)|^image\/svg\+xml$|^message\/http$/;

/** True when a media type is text that people read (JSON, XML, HTML, forms, …). */
export function isTextType(type: string): boolean {
  return TEXT_TYPES.test(type);
}

/**
 * Decodes a body as text for display or for a text-only format, or returns undefined when it is
 * binary. Text media types decode with their charset (UTF-8 by default); bodies without a
 * `Content-Type` count as text when they are valid UTF-8 without NUL bytes.
 */
export function bodyText(bytes: Uint8Array, contentType: string | undefined): string | undefined {
  const { type, parameters } = mediaType(contentType);
  if (type && !isTextType(type)) return undefined;
  if (!type && (bytes.includes(0) || !isUtf8(bytes))) return undefined;
  const charset = parameters.charset ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(bytes);
  } catch {
    // An unknown charset label: UTF-8 is the best guess left.
    return new TextDecoder('utf-8').decode(bytes);
  }
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The Postman editor language for a media type. */
export function languageOf(type: string): 'json' | 'xml' | 'html' | 'javascript' | 'text' {
  if (/[/+]json$/.test(type) || type === 'application/x-ndjson') return 'json';
  if (type === 'text/html') return 'html';
  if (/[/+]xml$/.test(type)) return 'xml';
  if (/javascript|ecmascript/.test(type)) return 'javascript';
  return 'text';
}
