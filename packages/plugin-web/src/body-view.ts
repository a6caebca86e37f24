import { bodyText, headerValue, mediaType } from '@capture/postman-format';
import type { BodyView } from './protocol.js';

/** Longest text sent to the page for one body; the rest is in the export. */
const MAX_TEXT = 512 * 1024;
/** Largest image shown inline. */
const MAX_IMAGE = 5 * 1024 * 1024;
/** Bytes shown in hex for a binary body. */
const HEX_BYTES = 64;
/** Images a browser shows in an `<img>` without running anything (SVG is shown as XML text instead). */
const RASTER_IMAGES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/avif', 'image/bmp', 'image/x-icon', 'image/vnd.microsoft.icon']);

/** What a body view is made from: a captured body (if any), its headers and wire size. */
export interface BodySource {
  bytes?: Uint8Array | undefined;
  truncated?: boolean | undefined;
  size: number;
  skipped?: string | undefined;
  headers: ReadonlyArray<readonly [string, string]>;
}

/**
 * Prepares a body for the detail pane: JSON and XML pretty-printed, forms as fields, raster images
 * as a `data:` URL, other text as it is, binary summarised with its first bytes in hex.
 */
export function toBodyView(source: BodySource): BodyView {
  const contentType = headerValue(source.headers, 'content-type');
  const { type, parameters } = mediaType(contentType);
  const bytes = source.bytes ?? new Uint8Array();
  const base = { type, size: source.size, captured: bytes.length, truncated: Boolean(source.truncated) };
  if (source.skipped) return { ...base, kind: 'skipped', skipped: source.skipped };
  if (bytes.length === 0) return { ...base, kind: 'empty' };
  if (RASTER_IMAGES.has(type) && !source.truncated && bytes.length <= MAX_IMAGE) {
    return { ...base, kind: 'image', dataUrl: `data:${type};base64,${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64')}` };
  }
  if (type === 'multipart/form-data' && parameters.boundary) {
    const fields = multipartFields(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), parameters.boundary);
    if (fields) return { ...base, kind: 'form', fields };
  }
  const text = bodyText(bytes, contentType);
  if (text === undefined) return { ...base, kind: 'binary', hex: hexOf(bytes) };
  if (type === 'application/x-www-form-urlencoded') return { ...base, kind: 'form', fields: [...new URLSearchParams(text)], ...cut(text) };
  if (/[/+]json$/.test(type) || (!type && /^\s*[{[]/.test(text))) {
    const pretty = prettyJson(text);
    if (pretty !== undefined) return { ...base, kind: 'json', ...cut(pretty) };
  }
  if (/[/+]xml$/.test(type) || (!type && /^\s*<\?xml/.test(text))) return { ...base, kind: 'xml', ...cut(prettyXml(text)) };
  return { ...base, kind: 'text', ...cut(text) };
}

function cut(text: string): { text: string; textCut?: boolean } {
  return text.length > MAX_TEXT ? { text: text.slice(0, MAX_TEXT), textCut: true } : { text };
}

function hexOf(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, HEX_BYTES))
    .toString('hex')
    .replace(/(..)(?!$)/g, '$1 ');
}

/** JSON with two-space indents, or undefined when it does not parse (a truncated body). */
export function prettyJson(text: string): string | undefined {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return undefined;
  }
}

/**
 * XML indented two spaces per level, one element per line, an element holding only text kept on
 * one line. Works on tags, not a full parser: malformed XML comes out readable, never rejected.
 */
export function prettyXml(text: string): string {
  const tokens = text
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<[^>]+>)/)
    .map((token) => token.trim())
    .filter(Boolean);
  const lines: string[] = [];
  let depth = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const pad = '  '.repeat(depth);
    if (token.startsWith('</')) {
      depth = Math.max(0, depth - 1);
      lines.push(`${'  '.repeat(depth)}${token}`);
    } else if (token.startsWith('<') && !token.startsWith('<?') && !token.startsWith('<!') && !token.endsWith('/>')) {
      const text = tokens[i + 1];
      const close = tokens[i + 2];
      if (text !== undefined && !text.startsWith('<') && close?.startsWith('</')) {
        lines.push(`${pad}${token}${text}${close}`);
        i += 2;
      } else {
        lines.push(`${pad}${token}`);
        depth++;
      }
    } else {
      lines.push(`${pad}${token}`);
    }
  }
  return lines.join('\n');
}

/** The fields of a multipart form: text parts as they are, files as a note; undefined when it does not parse. */
function multipartFields(body: Buffer, boundary: string): Array<[string, string]> | undefined {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: Array<[string, string]> = [];
  let start = body.indexOf(delimiter);
  if (start < 0) return undefined;
  while (start >= 0) {
    const partStart = start + delimiter.length;
    if (body.subarray(partStart, partStart + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, partStart);
    const part = body.subarray(partStart, next < 0 ? body.length : next);
    const headEnd = part.indexOf('\r\n\r\n');
    if (headEnd < 0) break;
    const head = part.subarray(0, headEnd).toString('latin1');
    let value = part.subarray(headEnd + 4);
    if (value.subarray(-2).toString() === '\r\n') value = value.subarray(0, -2);
    const name = /name="([^"]*)"/i.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    const partType = /content-type:\s*([^\r\n]+)/i.exec(head)?.[1]?.trim();
    fields.push([name, filename !== undefined ? `(file "${filename}", ${partType ?? 'no type'}, ${value.length} bytes)` : value.toString('utf8')]);
    if (next < 0) break;
    start = next;
  }
  return fields;
}
