/**
 * Schema-less protobuf decoding, as `protoc --decode_raw` does it: field numbers and wire types,
 * varints as unsigned 64-bit decimals, fixed32/fixed64 in hex, and length-delimited fields tried
 * as a nested message, then as UTF-8 text, then kept as bytes. Malformed input gives the fields
 * decoded so far and where it stopped, never an exception. Browser-safe (no Buffer).
 */
import { latin1, strictUtf8, toBase64 } from './bytes.js';
import type { RawDecodeError, RawField, RawMessage } from './record.js';

/** Options of {@link decodeRaw}. */
export interface DecodeRawOptions {
  /** How deep nested messages are tried (protoc's recursion limit is 100); deeper ones stay strings or bytes. Default 64. */
  readonly maxDepth?: number;
}

const DEFAULT_MAX_DEPTH = 64;
const MAX_FIELD_NUMBER = 2 ** 29 - 1;

/**
 * Thrown inside the parser only and always caught there. Not an Error: trying a string as a nested
 * message fails often, and capturing a stack trace each time made decoding ten times slower.
 */
class Malformed {
  constructor(
    readonly offset: number,
    readonly reason: string,
  ) {}
}

/** Decodes `bytes` as a protobuf message without a schema. Never throws. */
export function decodeRaw(bytes: Uint8Array, options: DecodeRawOptions = {}): RawMessage {
  const result = parseMessage(bytes, 0, bytes.length, options.maxDepth ?? DEFAULT_MAX_DEPTH, undefined);
  return result.error ? { fields: result.fields, error: result.error } : { fields: result.fields };
}

interface Parsed {
  fields: RawField[];
  /** Where parsing ended: `end`, or just after the end-group tag that closed a group. */
  offset: number;
  error?: RawDecodeError;
}

/**
 * Parses fields from `start` to `end`. `group` is the field number of an open group, which an
 * end-group tag of the same number closes.
 */
function parseMessage(bytes: Uint8Array, start: number, end: number, depth: number, group: number | undefined): Parsed {
  const fields: RawField[] = [];
  let offset = start;
  try {
    while (offset < end) {
      const tagStart = offset;
      const [tag, afterTag] = readVarint(bytes, offset, end);
      offset = afterTag;
      // Tags of valid fields fit in 32 bits, so plain arithmetic is exact for them.
      const number = typeof tag === 'bigint' ? Infinity : Math.floor(tag / 8);
      const wireType = typeof tag === 'bigint' ? Number(tag & 7n) : tag % 8;
      if (number > MAX_FIELD_NUMBER || number === 0) throw new Malformed(tagStart, `invalid field number ${typeof tag === 'bigint' ? tag >> 3n : number}`);
      switch (wireType) {
        case 0: {
          const [value, next] = readVarint(bytes, offset, end);
          offset = next;
          fields.push({ number, wireType: 0, kind: 'varint', value: value.toString() });
          break;
        }
        case 1: {
          if (end - offset < 8) throw new Malformed(offset, `truncated fixed64 (${end - offset} of 8 bytes)`);
          fields.push({ number, wireType: 1, kind: 'fixed64', value: hex(bytes, offset, 8) });
          offset += 8;
          break;
        }
        case 5: {
          if (end - offset < 4) throw new Malformed(offset, `truncated fixed32 (${end - offset} of 4 bytes)`);
          fields.push({ number, wireType: 5, kind: 'fixed32', value: hex(bytes, offset, 4) });
          offset += 4;
          break;
        }
        case 2: {
          const [length, next] = readVarint(bytes, offset, end);
          if (length > end - next) throw new Malformed(offset, `length ${length} runs past the end (${end - next} bytes left)`);
          offset = next + Number(length);
          fields.push(lengthDelimited(bytes, number, next, offset, depth));
          break;
        }
        case 3: {
          if (depth <= 0) throw new Malformed(tagStart, 'groups nested too deep');
          const inner = parseMessage(bytes, offset, end, depth - 1, number);
          if (inner.error) throw new Malformed(inner.error.offset, inner.error.reason);
          fields.push({ number, wireType: 3, kind: 'group', message: { fields: inner.fields } });
          offset = inner.offset;
          break;
        }
        case 4: {
          if (group !== number) throw new Malformed(tagStart, group === undefined ? `end of group ${number} without its start` : `end of group ${number} inside group ${group}`);
          return { fields, offset };
        }
        default:
          throw new Malformed(tagStart, `invalid wire type ${wireType}`);
      }
    }
    if (group !== undefined) throw new Malformed(end, `group ${group} not closed`);
    return { fields, offset };
  } catch (error) {
    if (!(error instanceof Malformed)) throw error;
    return { fields, offset, error: { offset: error.offset, reason: error.reason } };
  }
}

/** A length-delimited field: a nested message if the bytes parse whole as one, else UTF-8 text, else bytes. */
function lengthDelimited(bytes: Uint8Array, number: number, start: number, end: number, depth: number): RawField {
  // protoc prints an empty field as an empty string, not as an empty message.
  if (end > start && depth > 0) {
    const nested = parseMessage(bytes, start, end, depth - 1, undefined);
    if (!nested.error) return { number, wireType: 2, kind: 'message', message: { fields: nested.fields } };
  }
  const slice = bytes.subarray(start, end);
  const text = strictUtf8(slice);
  if (text !== undefined) return { number, wireType: 2, kind: 'string', value: text };
  return { number, wireType: 2, kind: 'bytes', base64: toBase64(slice) };
}

/**
 * Reads a varint of at most 10 bytes (64 bits); returns the value and the offset after it. Values
 * of up to 7 bytes (49 bits) stay plain numbers, the common case, so BigInt is only paid for
 * large 64-bit values.
 */
function readVarint(bytes: Uint8Array, start: number, end: number): [number | bigint, number] {
  let value = 0;
  const fast = Math.min(end, start + 7);
  for (let offset = start; offset < fast; offset++) {
    const byte = bytes[offset]!;
    value += (byte & 0x7f) * 2 ** (7 * (offset - start));
    if (byte < 0x80) return [value, offset + 1];
  }
  let big = BigInt(value);
  for (let offset = start + 7; offset < end && offset < start + 10; offset++) {
    const byte = bytes[offset]!;
    big |= BigInt(byte & 0x7f) << BigInt(7 * (offset - start));
    if (byte < 0x80) return [BigInt.asUintN(64, big), offset + 1];
  }
  if (end - start >= 10) throw new Malformed(start, 'varint longer than 10 bytes');
  throw new Malformed(start, 'truncated varint');
}

/** A little-endian fixed-width value as protoc prints it: `0x` and zero-padded hex. */
function hex(bytes: Uint8Array, offset: number, width: 4 | 8): string {
  let digits = '';
  for (let i = width - 1; i >= 0; i--) digits += bytes[offset + i]!.toString(16).padStart(2, '0');
  return `0x${digits}`;
}

/**
 * Renders a schema-less decoding in the text format `protoc --decode_raw` prints: `1: 150`,
 * `2: "text"` (C-escaped, octal for bytes outside printable ASCII, as protoc does), nested messages
 * and groups as `3 {` … `}` indented two spaces. A decoding that stopped early ends with a comment
 * line `# stopped at byte N: reason` (protoc itself would print nothing but an error).
 */
export function formatDecodeRaw(message: RawMessage): string {
  const lines: string[] = [];
  render(message, '', lines);
  return lines.length ? `${lines.join('\n')}\n` : '';
}

function render(message: RawMessage, indent: string, lines: string[]): void {
  for (const field of message.fields) {
    switch (field.kind) {
      case 'varint':
      case 'fixed32':
      case 'fixed64':
        lines.push(`${indent}${field.number}: ${field.value}`);
        break;
      case 'string':
        lines.push(`${indent}${field.number}: "${cEscape(new TextEncoder().encode(field.value))}"`);
        break;
      case 'bytes':
        lines.push(`${indent}${field.number}: "${cEscape(Uint8Array.from(atob(field.base64), (c) => c.charCodeAt(0)))}"`);
        break;
      case 'message':
      case 'group':
        lines.push(`${indent}${field.number} {`);
        render(field.message, `${indent}  `, lines);
        lines.push(`${indent}}`);
        break;
    }
  }
  if (message.error) lines.push(`${indent}# stopped at byte ${message.error.offset}: ${message.error.reason}`);
}

/** protobuf's CEscape: `\n \r \t \" \' \\` by name, other bytes outside 0x20–0x7e as three octal digits. */
function cEscape(bytes: Uint8Array): string {
  let out = '';
  for (const byte of latin1(bytes)) {
    const code = byte.charCodeAt(0);
    if (byte === '\n') out += '\\n';
    else if (byte === '\r') out += '\\r';
    else if (byte === '\t') out += '\\t';
    else if (byte === '"') out += '\\"';
    else if (byte === "'") out += "\\'";
    else if (byte === '\\') out += '\\\\';
    else if (code < 0x20 || code >= 0x7f) out += `\\${code.toString(8).padStart(3, '0')}`;
    else out += byte;
  }
  return out;
}
