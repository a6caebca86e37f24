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

it('never throws on random bodies of every flavour (fuzz, seeded)', async () => {
  let seed = 0x9e3779b9;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
  const types = ['application/grpc', 'application/grpc-web+proto', 'application/grpc-web-text'];
  for (let round = 0; round < 600; round++) {
    const bytes = Uint8Array.from({ length: random() % 120 }, random);
    const headers: Array<[string, string]> = [['content-type', types[round % 3]!], ['grpc-encoding', round % 2 ? 'gzip' : 'deflate']];
    const record = await decodeGrpcExchange({ request: { url, headers, body: { bytes, truncated: round % 5 === 0 } }, response: { headers, body: { bytes, truncated: false } } });
    expect(record).toBeDefined();
    JSON.stringify(record);
  }
});
