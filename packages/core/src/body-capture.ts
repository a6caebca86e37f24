import zlib from 'node:zlib';
import type { CapturedBody } from './exchange.js';

/**
 * Collects the start of a body as it streams past, up to a cap, while counting every byte.
 * The forwarded stream is never touched: this only keeps references to chunks it was shown.
 */
export class BodyCollector {
  #chunks: Buffer[] = [];
  #kept = 0;
  /** Bytes seen on the wire. */
  size = 0;
  /** True once more than `limit` bytes were seen. */
  truncated = false;

  constructor(private readonly limit: number) {}

  /** Records one chunk of the body. Bound so it can be passed straight to `on('data')`. */
  readonly push = (chunk: Buffer): void => {
    this.size += chunk.length;
    const room = this.limit - this.#kept;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    if (chunk.length > room) {
      this.#chunks.push(chunk.subarray(0, room));
      this.#kept += room;
      this.truncated = true;
      return;
    }
    this.#chunks.push(chunk);
    this.#kept += chunk.length;
  };

  /** The bytes kept so far. */
  bytes(): Buffer {
    if (this.#chunks.length === 1) return this.#chunks[0]!;
    const joined = Buffer.concat(this.#chunks, this.#kept);
    this.#chunks = [joined];
    return joined;
  }
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
