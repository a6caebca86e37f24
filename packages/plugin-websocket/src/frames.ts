import { randomBytes } from 'node:crypto';
import { Opcode } from './record.js';

/**
 * An incremental RFC 6455 frame parser. It reads a copy of the bytes the relay forwards, so it
 * never holds a payload: it hands each payload slice (unmasked) on as it arrives, and only the
 * up to 14 bytes of a frame header are buffered across chunks. That keeps memory per connection
 * constant whatever the message size.
 */

/** A parsed frame header. */
export interface FrameHeader {
  /** Last frame of its message. */
  readonly fin: boolean;
  /** RSV1: set on the first frame of a `permessage-deflate` compressed message. */
  readonly rsv1: boolean;
  /** The frame's opcode. */
  readonly opcode: number;
  /** The payload length. */
  readonly length: number;
}

/** What the parser reports, in wire order. */
export interface FrameEvents {
  /** A frame header was read; `raw` is its bytes as sent (mask key included). */
  frame(header: FrameHeader, raw: Buffer): void;
  /** A slice of the current frame's payload: `data` unmasked (a copy), `raw` as sent. */
  payload(data: Buffer, raw: Buffer): void;
  /** The current frame's payload is complete. */
  frameEnd(): void;
}

/** A frame that breaks RFC 6455: the relay closes the connection with `closeCode`. */
export class FrameError extends Error {
  /** The close code to send: 1002 (protocol error), 1007 (invalid payload data), 1009 (too big). */
  readonly closeCode: number;
  constructor(closeCode: number, message: string) {
    super(message);
    this.name = 'FrameError';
    this.closeCode = closeCode;
  }
}

/** How {@link FrameParser.push} ends when a frame is invalid. */
export interface ParseFailure {
  /** Why. */
  readonly error: FrameError;
  /**
   * Where in the chunk the invalid frame starts, so the bytes before it can still be forwarded;
   * -1 when it began in an earlier chunk (some of it has been forwarded already).
   */
  readonly frameStart: number;
}

/** Options of a {@link FrameParser}. */
export interface FrameParserOptions {
  /** Frames from the client must be masked, frames from the server must not (RFC 6455 5.1). */
  readonly fromClient: boolean;
  /** RSV1 is allowed (a `permessage-deflate` was negotiated). */
  readonly compression: boolean;
}

const MAX_HEADER = 14;

/** Parses one direction of a WebSocket connection; see the file comment. */
export class FrameParser {
  readonly #options: FrameParserOptions;
  readonly #events: FrameEvents;
  readonly #header = Buffer.alloc(MAX_HEADER);
  #headerLength = 0;
  /** Payload bytes left in the current frame; -1 between frames. */
  #remaining = -1;
  #mask: Buffer | undefined;
  #maskOffset = 0;
  /** A text or binary message has started and not yet ended (continuations are expected). */
  #inMessage = false;
  #failed: FrameError | undefined;
  /** Where the current frame began in the chunk being parsed; -1 when in an earlier chunk. */
  #frameStart = -1;

  constructor(options: FrameParserOptions, events: FrameEvents) {
    this.#options = options;
    this.#events = events;
  }

  /** True between frames: bytes forwarded so far end on a frame boundary, so a frame may be injected. */
  get atBoundary(): boolean {
    return this.#remaining === -1 && this.#headerLength === 0;
  }

  /** True while a fragmented message waits for its continuation frames. */
  get inMessage(): boolean {
    return this.#inMessage;
  }

  /**
   * Parses a chunk; returns a failure at the first invalid frame (later calls then do nothing).
   * An event handler may throw a {@link FrameError} (invalid UTF-8 in a text message, a bad close
   * payload): it fails the frame being parsed the same way.
   */
  push(chunk: Buffer): ParseFailure | undefined {
    if (this.#failed) return { error: this.#failed, frameStart: 0 };
    this.#frameStart = -1;
    let offset = 0;
    try {
      while (offset < chunk.length) {
        if (this.#remaining === -1) {
          if (this.#headerLength === 0) this.#frameStart = offset;
          offset = this.#readHeader(chunk, offset);
          if (this.#failed) return { error: this.#failed, frameStart: this.#frameStart };
          continue;
        }
        const take = Math.min(this.#remaining, chunk.length - offset);
        const raw = chunk.subarray(offset, offset + take);
        offset += take;
        this.#remaining -= take;
        this.#events.payload(this.#unmask(raw), raw);
        if (this.#remaining === 0) this.#endFrame();
      }
    } catch (error) {
      if (!(error instanceof FrameError)) throw error;
      this.#failed = error;
      return { error, frameStart: this.#frameStart };
    }
    return undefined;
  }

  /** Reads header bytes from `chunk` at `offset`; returns the new offset. */
  #readHeader(chunk: Buffer, offset: number): number {
    const need = (): number => {
      if (this.#headerLength < 2) return 2;
      const len7 = this.#header[1]! & 0x7f;
      const masked = (this.#header[1]! & 0x80) !== 0;
      return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (masked ? 4 : 0);
    };
    while (offset < chunk.length && this.#headerLength < need()) {
      this.#header[this.#headerLength++] = chunk[offset++]!;
    }
    if (this.#headerLength < need()) return offset;
    const header = this.#header;
    const fin = (header[0]! & 0x80) !== 0;
    const rsv1 = (header[0]! & 0x40) !== 0;
    const opcode = header[0]! & 0x0f;
    const masked = (header[1]! & 0x80) !== 0;
    const len7 = header[1]! & 0x7f;
    let length = len7;
    let at = 2;
    if (len7 === 126) {
      length = header.readUInt16BE(2);
      at = 4;
    } else if (len7 === 127) {
      const high = header.readUInt32BE(2);
      if (high & 0x80000000) return this.#fail(1002, 'a 64-bit payload length with its most significant bit set'), offset;
      // Beyond 2^53 - 1 a length cannot be counted exactly in a JavaScript number.
      if (high > 0x1fffff) return this.#fail(1009, 'a payload length beyond 2^53 bytes'), offset;
      length = high * 2 ** 32 + header.readUInt32BE(6);
      at = 10;
    }
    const error = this.#check(fin, rsv1, (header[0]! & 0x30) !== 0, opcode, masked, length);
    if (error) return this.#fail(1002, error), offset;
    this.#mask = masked ? Buffer.from(header.subarray(at, at + 4)) : undefined;
    this.#maskOffset = 0;
    const raw = Buffer.from(header.subarray(0, this.#headerLength));
    this.#headerLength = 0;
    this.#remaining = length;
    if (opcode === Opcode.TEXT || opcode === Opcode.BINARY) this.#inMessage = !fin;
    else if (opcode === Opcode.CONTINUATION && fin) this.#inMessage = false;
    this.#events.frame({ fin, rsv1, opcode, length }, raw);
    if (length === 0) this.#endFrame();
    return offset;
  }

  /** The RFC 6455 rules a header must keep; a description of the first one broken. */
  #check(fin: boolean, rsv1: boolean, rsv23: boolean, opcode: number, masked: boolean, length: number): string | undefined {
    const control = opcode >= 0x8;
    if (opcode > 0xa || (opcode > 0x2 && opcode < 0x8)) return `reserved opcode ${opcode}`;
    if (rsv23) return 'RSV2 or RSV3 set with no extension negotiated that defines them';
    if (rsv1 && !this.#options.compression) return 'RSV1 set but permessage-deflate was not negotiated';
    if (rsv1 && (control || opcode === Opcode.CONTINUATION)) return 'RSV1 set on a control or continuation frame';
    if (masked !== this.#options.fromClient) {
      return this.#options.fromClient ? 'an unmasked frame from the client' : 'a masked frame from the server';
    }
    if (control && !fin) return 'a fragmented control frame';
    if (control && length > 125) return `a control frame of ${length} bytes (at most 125)`;
    if (opcode === Opcode.CONTINUATION && !this.#inMessage) return 'a continuation frame with no message to continue';
    if ((opcode === Opcode.TEXT || opcode === Opcode.BINARY) && this.#inMessage) return 'a new message before the fragmented one ended';
    return undefined;
  }

  #fail(code: number, message: string): void {
    this.#failed = new FrameError(code, message);
  }

  #unmask(raw: Buffer): Buffer {
    const mask = this.#mask;
    const data = Buffer.from(raw);
    if (!mask) return data;
    let m = this.#maskOffset;
    for (let i = 0; i < data.length; i++) {
      data[i]! ^= mask[m]!;
      m = (m + 1) & 3;
    }
    this.#maskOffset = m;
    return data;
  }

  #endFrame(): void {
    this.#remaining = -1;
    this.#mask = undefined;
    this.#events.frameEnd();
  }
}

/**
 * Serialises one whole frame (FIN set). Frames to the server are masked with a fresh random key,
 * as RFC 6455 5.3 requires of clients; frames to the client are not masked.
 */
export function encodeFrame(opcode: number, payload: Buffer, toServer: boolean): Buffer {
  const length = payload.length;
  const lengthBytes = length < 126 ? 0 : length < 65536 ? 2 : 8;
  const header = Buffer.alloc(2 + lengthBytes + (toServer ? 4 : 0));
  header[0] = 0x80 | opcode;
  header[1] = (toServer ? 0x80 : 0) | (lengthBytes === 0 ? length : lengthBytes === 2 ? 126 : 127);
  if (lengthBytes === 2) header.writeUInt16BE(length, 2);
  else if (lengthBytes === 8) {
    header.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    header.writeUInt32BE(length >>> 0, 6);
  }
  if (!toServer) return Buffer.concat([header, payload]);
  const mask = randomBytes(4);
  mask.copy(header, 2 + lengthBytes);
  const masked = Buffer.from(payload);
  for (let i = 0; i < masked.length; i++) masked[i]! ^= mask[i & 3]!;
  return Buffer.concat([header, masked]);
}

/** A close frame's payload: its code (none when empty) and UTF-8 reason. */
export interface ClosePayload {
  readonly code: number | undefined;
  readonly reason: string;
}

const strictDecoder = new TextDecoder('utf-8', { fatal: true });

/** Parses a close frame's payload; throws a {@link FrameError} when it breaks RFC 6455 5.5.1/7.4. */
export function parseClosePayload(payload: Buffer): ClosePayload {
  if (payload.length === 0) return { code: undefined, reason: '' };
  if (payload.length === 1) throw new FrameError(1002, 'a close frame with a 1-byte payload');
  const code = payload.readUInt16BE(0);
  if (!isValidCloseCode(code)) throw new FrameError(1002, `a close frame with invalid code ${code}`);
  try {
    return { code, reason: strictDecoder.decode(payload.subarray(2)) };
  } catch {
    throw new FrameError(1007, 'a close frame whose reason is not valid UTF-8');
  }
}

/** True for close codes an endpoint may send (RFC 6455 7.4, IANA registry). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/** A close frame's payload: the code and a reason cut to fit 125 bytes on a character boundary. */
export function closePayload(code: number, reason: string): Buffer {
  let text = Buffer.from(reason, 'utf8');
  if (text.length > 123) {
    let cut = 123;
    // Step back over continuation bytes so the reason stays valid UTF-8.
    while (cut > 0 && (text[cut]! & 0xc0) === 0x80) cut--;
    text = text.subarray(0, cut);
  }
  const payload = Buffer.alloc(2 + text.length);
  payload.writeUInt16BE(code, 0);
  text.copy(payload, 2);
  return payload;
}
