import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { concatBytes } from './bytes.js';
import { decodeGrpcExchange } from './decode.js';
import { frameGrpcMessage } from './framing.js';

const url = 'https://api.test/shop.v1.Catalog/GetItem';
const message = Uint8Array.of(0x0a, 2, 0x61, 0x31);

describe('decodeGrpcExchange', () => {
  it('is undefined for exchanges that are not gRPC', async () => {
    expect(await decodeGrpcExchange({ request: { url, headers: [['content-type', 'application/json']] } })).toBeUndefined();
  });

  it('reads grpc-status from HTTP/2 trailers, else from a trailers-only response', async () => {
    const request = { url, headers: [['content-type', 'application/grpc'] as [string, string]] };
    const withTrailers = await decodeGrpcExchange({ request, response: { headers: [['content-type', 'application/grpc']], trailers: [['grpc-status', '5'], ['grpc-message', 'gone']] } });
    expect(withTrailers).toMatchObject({ web: false, status: 5, statusName: 'NOT_FOUND', message: 'gone', statusFrom: 'trailers' });
    const trailersOnly = await decodeGrpcExchange({ request, response: { headers: [['grpc-status', '16']], trailers: 'not a header list' } });
    expect(trailersOnly).toMatchObject({ status: 16, statusName: 'UNAUTHENTICATED', statusFrom: 'headers' });
  });

  it('decompresses messages by grpc-encoding and marks a body cut by the capture cap as truncated', async () => {
    const compressed = gzipSync(message);
    const body = concatBytes([frameGrpcMessage(compressed, 1), frameGrpcMessage(message)]);
    const record = await decodeGrpcExchange({
      request: { url, headers: [['content-type', 'application/grpc+proto'], ['grpc-encoding', 'gzip']], body: { bytes: body.subarray(0, body.length - 2), truncated: true } },
    });
    expect(record!.requestMessages).toHaveLength(2);
    expect(record!.requestMessages[0]).toMatchObject({ compressed: true, encoding: 'gzip', truncated: false, decodedSize: 4, raw: { fields: [{ number: 1, kind: 'string', value: 'a1' }] } });
    expect(record!.requestMessages[1]).toMatchObject({ compressed: false, size: 4, truncated: true });
  });

  it('keeps a message of an unknown encoding undecoded, as base64', async () => {
    const record = await decodeGrpcExchange({ request: { url, headers: [['content-type', 'application/grpc'], ['grpc-encoding', 'snappy']], body: { bytes: frameGrpcMessage(message, 1), truncated: false } } });
    expect(record!.requestMessages[0]).toMatchObject({ compressed: true, encoding: 'snappy', undecoded: expect.stringMatching(/snappy/) as unknown, base64: 'CgJhMQ==' });
  });
});
