import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { concatBytes } from './bytes.js';
import { decodeGrpcExchange, DEFAULT_MAX_DECODE_SIZE } from './decode.js';
import { frameGrpcMessage } from './framing.js';

const url = 'https://api.test/shop.v1.Catalog/List';
const headers: Array<[string, string]> = [['content-type', 'application/grpc']];

/** A message of `size` bytes or a little more: repeated field 1, each a small nested message (what decode_raw works hardest on). */
function bigMessage(size: number): Uint8Array {
  const item = Uint8Array.of(0x0a, 12, 0x08, 0x96, 0x01, 0x12, 8, ...new TextEncoder().encode('item-abc'));
  const count = Math.ceil(size / item.length);
  const bytes = new Uint8Array(count * item.length);
  for (let index = 0; index < count; index++) bytes.set(item, index * item.length);
  return bytes;
}

/** The longest time the event loop was held while `work` ran, from a heartbeat on every turn. */
async function longestBlock(work: () => Promise<unknown>): Promise<number> {
  let last = performance.now();
  let longest = 0;
  let beating = true;
  const beat = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (beating) setImmediate(beat);
  };
  setImmediate(beat);
  await work();
  beating = false;
  await new Promise<void>((resolve) => setImmediate(resolve));
  return Math.max(longest, performance.now() - last);
}

describe('decoding bounds (maxDecodeSize, maxDecodeTotal)', () => {
  it('records a message over maxDecodeSize undecoded with a note, and decodes those within it', async () => {
    const small = bigMessage(1000);
    const large = bigMessage(DEFAULT_MAX_DECODE_SIZE + 1);
    const record = await decodeGrpcExchange({ request: { url, headers, body: { bytes: concatBytes([frameGrpcMessage(small), frameGrpcMessage(large)]), truncated: false } } });
    const [first, second] = record!.requestMessages;
    expect(first!.raw!.fields.length).toBeGreaterThan(0);
    expect(second).toEqual({
      compressed: false,
      size: large.length,
      truncated: false,
      undecoded: `not decoded: ${large.length} bytes is over maxDecodeSize (${DEFAULT_MAX_DECODE_SIZE} bytes); the bytes are in the captured body`,
    });
  });

  it('applies maxDecodeSize to a compressed message by its decompressed size', async () => {
    const large = bigMessage(64 * 1024);
    const record = await decodeGrpcExchange(
      { request: { url, headers: [...headers, ['grpc-encoding', 'gzip']], body: { bytes: frameGrpcMessage(gzipSync(large), 1), truncated: false } } },
      { maxDecodeSize: 32 * 1024 },
    );
    expect(record!.requestMessages[0]).toMatchObject({ compressed: true, encoding: 'gzip', decodedSize: large.length, undecoded: expect.stringMatching(/over maxDecodeSize \(32768 bytes\)/) });
    expect(record!.requestMessages[0]!.raw).toBeUndefined();
  });

  it('decodes at most maxDecodeTotal bytes per exchange, both directions together', async () => {
    const piece = bigMessage(10_000);
    const body = { bytes: concatBytes(Array.from({ length: 3 }, () => frameGrpcMessage(piece))), truncated: false };
    const record = await decodeGrpcExchange({ request: { url, headers, body }, response: { headers, body } }, { maxDecodeTotal: 4 * piece.length });
    const decoded = [...record!.requestMessages, ...record!.responseMessages].map((message) => (message.raw ? 'raw' : message.undecoded));
    expect(decoded.slice(0, 4)).toEqual(['raw', 'raw', 'raw', 'raw']);
    expect(decoded.slice(4)).toEqual([0, 1].map(() => `not decoded: the exchange's messages are over maxDecodeTotal (${4 * piece.length} bytes decoded per exchange); the bytes are in the captured body`));
  });

  it('a 10 MiB body, in one message or in many, never holds the event loop for long', async () => {
    const one = frameGrpcMessage(bigMessage(10 * 1024 * 1024));
    const many = concatBytes(Array.from({ length: 80 }, () => frameGrpcMessage(bigMessage(128 * 1024))));
    // Unbounded, this decoding held the thread for about 1.5 s; bounded it is a few ms per piece.
    // The bound asserted is loose, for a loaded CI machine.
    for (const bytes of [one, many]) {
      const block = await longestBlock(() => decodeGrpcExchange({ request: { url, headers }, response: { headers, body: { bytes, truncated: false } } }));
      expect(block).toBeLessThan(400);
    }
  });
});
