/**
 * Decompression of gRPC messages sent with the compressed flag, by the `grpc-encoding` of their
 * direction: `gzip`, `deflate` (zlib, or raw deflate as some servers send), `identity`. Output is
 * capped: a decompression bomb yields its first `maxSize` bytes, marked truncated, and zlib is
 * stopped there rather than asked for the rest.
 */
import zlib from 'node:zlib';

/** What {@link decompressGrpcMessage} gives back. */
export type DecompressResult =
  /** Decompressed (the first `maxSize` bytes when `truncated`). */
  | { readonly bytes: Uint8Array; readonly truncated: boolean }
  /** Not decompressed: an encoding capture does not know, or data that is not what the encoding says. */
  | { readonly undecoded: string };

/** The `grpc-encoding` values capture decompresses. */
export const SUPPORTED_ENCODINGS = ['identity', 'gzip', 'deflate'] as const;

/**
 * Decompresses one message. `inputTruncated` says the captured message is only its start, so an
 * unexpected end of the compressed data is expected: the bytes decoded so far are kept, marked
 * truncated.
 */
export async function decompressGrpcMessage(data: Uint8Array, encoding: string | undefined, maxSize: number, inputTruncated = false): Promise<DecompressResult> {
  const name = (encoding ?? 'identity').trim().toLowerCase();
  if (name === 'identity') return { bytes: data.subarray(0, maxSize), truncated: data.length > maxSize };
  if (name === 'gzip') return inflate(() => zlib.createGunzip(flush), data, maxSize, inputTruncated, 'gzip');
  if (name === 'deflate') {
    const zlibFormat = await inflate(() => zlib.createInflate(flush), data, maxSize, inputTruncated, 'deflate');
    // RFC 1950 is what gRPC means by deflate; a server that sends raw RFC 1951 data fails its header check.
    if ('undecoded' in zlibFormat) {
      const raw = await inflate(() => zlib.createInflateRaw(flush), data, maxSize, inputTruncated, 'deflate');
      if (!('undecoded' in raw)) return raw;
    }
    return zlibFormat;
  }
  return { undecoded: `grpc-encoding ${JSON.stringify(name)} is not one capture decodes (${SUPPORTED_ENCODINGS.join(', ')})` };
}

// SYNC_FLUSH at the end gives the output of a cut stream instead of only an error.
const flush = { finishFlush: zlib.constants.Z_SYNC_FLUSH };

function inflate(create: () => zlib.Gunzip | zlib.Inflate | zlib.InflateRaw, data: Uint8Array, maxSize: number, inputTruncated: boolean, label: string): Promise<DecompressResult> {
  return new Promise((resolve) => {
    const stream = create();
    const chunks: Buffer[] = [];
    let kept = 0;
    let done = false;
    const finish = (result: DecompressResult) => {
      if (done) return;
      done = true;
      stream.destroy();
      resolve(result);
    };
    const output = (truncated: boolean) => ({ bytes: new Uint8Array(Buffer.concat(chunks, kept)), truncated });
    stream.on('data', (chunk: Buffer) => {
      const room = maxSize - kept;
      if (chunk.length > room) {
        // Stop at the cap: the rest of a bomb is never produced.
        chunks.push(chunk.subarray(0, room));
        kept = maxSize;
        finish(output(true));
        return;
      }
      chunks.push(chunk);
      kept += chunk.length;
    });
    stream.on('end', () => finish(output(inputTruncated)));
    stream.on('error', (error: Error) => {
      if (kept > 0 && (inputTruncated || /unexpected end/i.test(error.message))) finish(output(true));
      else finish({ undecoded: `${label}: ${error.message}` });
    });
    stream.end(data);
  });
}
