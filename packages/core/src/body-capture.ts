import zlib from 'node:zlib';
import type { CapturedBody } from './exchange.js';

/**
 * Collects the start of a body as it streams past, up to a cap, while counting every byte.
 * The forwarded stream is never touched. A body of one chunk is kept by reference (no copy:
 * the usual small response); from the second chunk on, the kept bytes are copied into one
 * buffer sized from the declared length (or grown by doubling), so the socket's read buffers
 * the chunks live in are free for the GC at once and no second copy is made at the end. Past
 * the cap nothing is kept or allocated: the rest of a large download costs a counter.
 */
export class BodyCollector {
  /** The only chunk seen so far, kept by reference. */
  #first: Buffer | undefined;
  /** The kept bytes once a second chunk arrived: `#joined.subarray(0, #kept)`. */
  #joined: Buffer | undefined;
  #kept = 0;
  /** Bytes seen on the wire. */
  size = 0;
  /** True once more than `limit` bytes were seen. */
  truncated = false;

  /**
   * @param limit the most bytes kept (0: count only).
   * @param expected the body's declared length (`Content-Length`), when known: the buffer is sized to it.
   */
  constructor(
    private readonly limit: number,
    private readonly expected?: number,
  ) {}

  /** Records one chunk of the body. Bound so it can be passed straight to `on('data')`. */
  readonly push = (chunk: Buffer): void => {
    this.size += chunk.length;
    const room = this.limit - this.#kept;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const taken = chunk.length > room ? room : chunk.length;
    if (taken < chunk.length) this.truncated = true;
    if (this.#kept === 0 && !this.#joined) {
      // A slice of a larger read buffer would keep all of it alive: only whole chunks are referenced.
      this.#first = taken === chunk.length ? chunk : copyOf(chunk, taken);
      this.#kept = taken;
      return;
    }
    this.#reserve(this.#kept + taken);
    chunk.copy(this.#joined!, this.#kept, 0, taken);
    this.#kept += taken;
  };

  /** The bytes kept so far. */
  bytes(): Buffer {
    if (!this.#joined) return this.#first ?? Buffer.alloc(0);
    if (this.#joined.length !== this.#kept) {
      // Grown by doubling, or shorter than declared: a view would keep (and a structured clone would copy) the spare room.
      const exact = Buffer.allocUnsafeSlow(this.#kept);
      this.#joined.copy(exact, 0, 0, this.#kept);
      this.#joined = exact;
    }
    return this.#joined;
  }

  /** Makes `#joined` hold at least `needed` bytes, moving the first chunk into it. */
  #reserve(needed: number): void {
    const capacity = this.#joined?.length ?? 0;
    if (needed <= capacity) return;
    const declared = this.expected !== undefined && this.expected >= needed ? this.expected : 0;
    const size = Math.min(this.limit, Math.max(needed, declared, capacity * 2, 64 * 1024));
    const grown = Buffer.allocUnsafe(size);
    if (this.#joined) this.#joined.copy(grown, 0, 0, this.#kept);
    else if (this.#first) this.#first.copy(grown, 0, 0, this.#kept);
    this.#joined = grown;
    this.#first = undefined;
  }
}

/** A `Content-Length` value as a size hint for {@link BodyCollector}; undefined when absent or not one number. */
export function declaredLength(value: string | string[] | undefined): number | undefined {
  return typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : undefined;
}

/** The first `length` bytes of `chunk` in a buffer of their own (not a view into the chunk's memory). */
function copyOf(chunk: Buffer, length: number): Buffer {
  const copy = Buffer.allocUnsafeSlow(length);
  chunk.copy(copy, 0, 0, length);
  return copy;
}

const DECODERS: Record<string, () => zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress> = {
  gzip: () => zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  'x-gzip': () => zlib.createGunzip({ finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  deflate: () => zlib.createInflate({ finishFlush: zlib.constants.Z_SYNC_FLUSH }),
  br: () => zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH }),
};

/**
 * Builds the captured body, decoded from `contentEncoding` (gzip, deflate, br, in the order the
 * header lists them) for plugins. Decoding stops at `limit` bytes so a compression bomb costs
 * nothing; a truncated or corrupt body yields what could be decoded. Unknown encodings are
 * kept as on the wire with `decoded: false`.
 */
export function finishCapturedBody(
  collector: BodyCollector,
  contentEncoding: string | undefined,
  limit: number,
): CapturedBody | Promise<CapturedBody> {
  const raw = collector.bytes();
  const base = { size: collector.size, truncated: collector.truncated };
  if (!contentEncoding) return { bytes: raw, ...base, decoded: true };
  const encodings = contentEncoding
    .split(',')
    .map((token) => token.trim().toLowerCase())
    .filter((token) => token && token !== 'identity');
  if (encodings.length === 0 || raw.length === 0) {
    return { bytes: raw, ...base, decoded: encodings.length === 0, ...(contentEncoding ? { contentEncoding } : {}) };
  }
  if (!encodings.every((token) => token in DECODERS)) {
    return { bytes: raw, ...base, contentEncoding: contentEncoding!, decoded: false };
  }
  return decodeAll(raw, encodings, contentEncoding!, base, limit);
}

async function decodeAll(
  raw: Buffer,
  encodings: string[],
  contentEncoding: string,
  base: { size: number; truncated: boolean },
  limit: number,
): Promise<CapturedBody> {
  let bytes = raw;
  let truncated = base.truncated;
  for (const encoding of encodings.reverse()) {
    const result = await decode(bytes, DECODERS[encoding]!(), limit);
    if (!result) return { bytes: raw, ...base, contentEncoding, decoded: false };
    bytes = result.bytes;
    truncated ||= result.truncated;
  }
  return { bytes, size: base.size, truncated, contentEncoding, decoded: true };
}

function decode(
  input: Buffer,
  decoder: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress,
  limit: number,
): Promise<{ bytes: Buffer; truncated: boolean } | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let kept = 0;
    let settled = false;
    const settle = (value: { bytes: Buffer; truncated: boolean } | undefined) => {
      if (settled) return;
      settled = true;
      decoder.destroy();
      resolve(value);
    };
    decoder.on('data', (chunk: Buffer) => {
      const room = limit - kept;
      chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
      kept += Math.min(room, chunk.length);
      if (kept >= limit) settle({ bytes: Buffer.concat(chunks, kept), truncated: true });
    });
    decoder.on('end', () => settle({ bytes: Buffer.concat(chunks, kept), truncated: false }));
    // A corrupt stream still yields what decoded before the damage; nothing decoded means "not decodable".
    decoder.on('error', () => settle(kept > 0 ? { bytes: Buffer.concat(chunks, kept), truncated: true } : undefined));
    decoder.end(input);
  });
}
