/**
 * Wire helpers for the differential fuzzer (fuzz.test.ts): a seeded generator, and a small
 * HTTP/1.1 message parser for the origin's view of what the proxy forwarded and the client's
 * view of what came back. The parser only has to read what Node and undici write, which is
 * well-formed: CRLF lines, Content-Length or chunked framing, or a body delimited by close.
 */

/** mulberry32: small, fast, and the same sequence for the same seed everywhere. */
export class Rand {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
}

export type Headers = Array<[string, string]>;

/** One parsed message. `start` is the request line or the status line. */
export interface Message {
  start: string;
  headers: Headers;
  body: Buffer;
  /** Bytes of this message on the wire. */
  raw: Buffer;
}

const CRLF2 = Buffer.from('\r\n\r\n');

function headerValue(headers: Headers, name: string): string | undefined {
  return headers.find(([key]) => key.toLowerCase() === name)?.[1];
}

/**
 * Parses as many whole messages from `buffer` as it holds; returns them and the bytes left over.
 * `bodyless(message)` says a response has no body whatever its headers say (HEAD, 204, 304);
 * with `ended` a response without framing takes the rest (delimited by close).
 */
export function parseMessages(
  buffer: Buffer,
  kind: 'request' | 'response',
  bodyless: (start: string, index: number) => boolean = () => false,
  ended = false,
  firstIndex = 0,
): { messages: Message[]; rest: Buffer } {
  const messages: Message[] = [];
  let offset = 0;
  for (;;) {
    const headEnd = buffer.indexOf(CRLF2, offset);
    if (headEnd < 0) break;
    const lines = buffer.subarray(offset, headEnd).toString('latin1').split('\r\n');
    const start = lines.shift()!;
    const headers: Headers = lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon), line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '')];
    });
    let cursor = headEnd + 4;
    let body: Buffer;
    const te = headerValue(headers, 'transfer-encoding');
    const cl = headerValue(headers, 'content-length');
    const status = kind === 'response' ? Number(start.split(' ')[1]) : 0;
    if (kind === 'response' && (bodyless(start, firstIndex + messages.length) || status === 204 || status === 304 || status < 200)) {
      body = Buffer.alloc(0);
    } else if (te && /chunked/i.test(te)) {
      const parts: Buffer[] = [];
      let complete = false;
      for (;;) {
        const lineEnd = buffer.indexOf('\r\n', cursor);
        if (lineEnd < 0) break;
        const size = parseInt(buffer.subarray(cursor, lineEnd).toString('latin1').split(';')[0]!.trim(), 16);
        if (size === 0) {
          // Trailers (none expected) end with an empty line.
          const end = buffer.indexOf('\r\n\r\n', lineEnd);
          if (end < 0) break;
          cursor = end + 4;
          complete = true;
          break;
        }
        if (buffer.length < lineEnd + 2 + size + 2) break;
        parts.push(buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
        cursor = lineEnd + 2 + size + 2;
      }
      if (!complete) break;
      body = Buffer.concat(parts);
    } else if (cl !== undefined) {
      const length = Number(cl);
      if (buffer.length < cursor + length) break;
      body = buffer.subarray(cursor, cursor + length);
      cursor += length;
    } else if (kind === 'response') {
      if (!ended) break;
      body = buffer.subarray(cursor);
      cursor = buffer.length;
    } else body = Buffer.alloc(0);
    messages.push({ start, headers, body: Buffer.from(body), raw: Buffer.from(buffer.subarray(offset, cursor)) });
    offset = cursor;
  }
  return { messages, rest: buffer.subarray(offset) };
}

/** Headers a proxy does not forward (RFC 9110 7.6.1), the proxy's own, and those `Connection` names. */
export function withoutHopByHop(headers: Headers, extra: string[] = []): Headers {
  const named = new Set<string>(extra);
  for (const [name, value] of headers) {
    if (name.toLowerCase() === 'connection') for (const token of value.split(',')) named.add(token.trim().toLowerCase());
  }
  const drop = new Set(['connection', 'proxy-connection', 'keep-alive', 'te', 'transfer-encoding', 'upgrade', 'proxy-authorization', 'expect']);
  return headers.filter(([name]) => !drop.has(name.toLowerCase()) && !named.has(name.toLowerCase()));
}
