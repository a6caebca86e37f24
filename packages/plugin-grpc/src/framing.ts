/**
 * The gRPC length-prefixed message framing (gRPC over HTTP/2, and gRPC-Web), for captured bodies:
 * each message is a 1-byte flag (bit 0: compressed; bit 7 in gRPC-Web: the trailer frame), a
 * 4-byte big-endian length and the message. Captured bodies may be cut by the capture's
 * `maxBodySize`, so a partial last message is reported as truncated, never thrown.
 */
import type { HeaderList } from '@capture/core/record';
import { concatBytes, fromBase64, latin1, strictUtf8 } from './bytes.js';

/** One length-prefixed message as found in a body (not yet decompressed). */
export interface GrpcFrame {
  /** The compressed flag (bit 0 of the prefix's flag byte). */
  readonly compressed: boolean;
  /** The length the prefix declares. */
  readonly size: number;
  /** The bytes captured: `size` bytes, or fewer when `truncated`. */
  readonly data: Uint8Array;
  /** True when the body ended before `size` bytes of this message. */
  readonly truncated: boolean;
}

/** What {@link splitGrpcFrames} found in a body. */
export interface GrpcFrames {
  /** The data frames, in order. */
  readonly messages: GrpcFrame[];
  /** gRPC-Web only: the trailer frame (flag 0x80) parsed as a header list, when present. */
  readonly trailers?: HeaderList;
  /** Framing problems, each one line (bytes after the trailer frame, a body cut inside a prefix). */
  readonly problems: string[];
}

/** Options of {@link splitGrpcFrames}. */
export interface SplitOptions {
  /** True for gRPC-Web bodies, whose flag bit 7 marks the trailer frame. */
  readonly web?: boolean;
  /** True when the capture kept only the body's start: an incomplete last frame is then expected. */
  readonly bodyTruncated?: boolean;
}

const PREFIX = 5;
const TRAILER_FLAG = 0x80;

/** Splits a gRPC or gRPC-Web body into its messages (and, for gRPC-Web, its trailer frame). Never throws. */
export function splitGrpcFrames(body: Uint8Array, options: SplitOptions = {}): GrpcFrames {
  const messages: GrpcFrame[] = [];
  const problems: string[] = [];
  let trailers: HeaderList | undefined;
  let offset = 0;
  while (offset < body.length) {
    if (body.length - offset < PREFIX) {
      problems.push(
        options.bodyTruncated
          ? `the captured body ends inside a message prefix (${body.length - offset} of 5 bytes; the body was truncated)`
          : `${body.length - offset} bytes after the last message are not a message prefix`,
      );
      break;
    }
    const flag = body[offset]!;
    // The length is unsigned 32-bit: `>>> 0` keeps lengths of 2 GiB and more positive.
    const size = ((body[offset + 1]! << 24) | (body[offset + 2]! << 16) | (body[offset + 3]! << 8) | body[offset + 4]!) >>> 0;
    const start = offset + PREFIX;
    const end = Math.min(start + size, body.length);
    const data = body.subarray(start, end);
    const truncated = end - start < size;
    offset = start + size;
    if (options.web && flag & TRAILER_FLAG) {
      if (trailers) problems.push('a second trailer frame');
      trailers = parseTrailerFrame(data);
      if (truncated) problems.push(`the trailer frame is truncated (${data.length} of ${size} bytes captured)`);
      if (offset < body.length) problems.push(`${body.length - offset} bytes after the trailer frame`);
      break;
    }
    messages.push({ compressed: (flag & 1) === 1, size, data, truncated });
  }
  return { messages, problems, ...(trailers ? { trailers } : {}) };
}

/**
 * A gRPC-Web trailer frame's payload (`name: value` lines separated by CRLF, as HTTP/1.1 headers)
 * as a header list; names are lower-cased, as the spec requires them to be sent.
 */
export function parseTrailerFrame(payload: Uint8Array): HeaderList {
  const text = strictUtf8(payload) ?? latin1(payload);
  const list: HeaderList = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      list.push([line.trim().toLowerCase(), '']);
      continue;
    }
    list.push([line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()]);
  }
  return list;
}

/** What {@link decodeGrpcWebText} gives back. */
export interface WebTextBody {
  /** The binary gRPC-Web body. */
  readonly bytes: Uint8Array;
  /** Set when part of the text was not valid base64 (the bytes decoded before it are kept). */
  readonly problem?: string;
}

/**
 * Decodes an `application/grpc-web-text` body: base64, where a server may send each chunk with its
 * own padding, so padded pieces are decoded one by one. Line breaks are ignored. A body cut inside a
 * base64 group (the capture's `maxBodySize`) decodes the complete groups.
 */
export function decodeGrpcWebText(body: Uint8Array): WebTextBody {
  const text = latin1(body).replace(/[\r\n\t ]/g, '');
  const parts: Uint8Array[] = [];
  // Each piece is base64 characters followed by its optional padding.
  const piece = /[A-Za-z0-9+/]*={0,2}/y;
  let offset = 0;
  while (offset < text.length) {
    piece.lastIndex = offset;
    const match = piece.exec(text);
    const chunk = match?.[0] ?? '';
    if (!chunk) {
      return { bytes: concatBytes(parts), problem: `invalid base64 character ${JSON.stringify(text[offset])} at offset ${offset} of the grpc-web-text body` };
    }
    offset += chunk.length;
    // A piece of 4n+1 characters cannot be base64 (a cut body): decode its complete groups.
    const usable = chunk.replace(/=+$/, '').length % 4 === 1 ? chunk.slice(0, chunk.replace(/=+$/, '').length - 1) : chunk;
    try {
      parts.push(fromBase64(usable));
    } catch {
      return { bytes: concatBytes(parts), problem: `invalid base64 near offset ${offset - chunk.length} of the grpc-web-text body` };
    }
  }
  return { bytes: concatBytes(parts) };
}

/** A message framed with the 5-byte prefix (for tests and tools that build gRPC bodies). */
export function frameGrpcMessage(message: Uint8Array, flag = 0): Uint8Array {
  const out = new Uint8Array(PREFIX + message.length);
  out[0] = flag;
  new DataView(out.buffer).setUint32(1, message.length);
  out.set(message, PREFIX);
  return out;
}

/** A gRPC-Web trailer frame for `trailers` (for tests and tools that build gRPC-Web bodies). */
export function frameGrpcWebTrailers(trailers: HeaderList): Uint8Array {
  const text = trailers.map(([name, value]) => `${name}:${value}\r\n`).join('');
  return frameGrpcMessage(new TextEncoder().encode(text), TRAILER_FLAG);
}
