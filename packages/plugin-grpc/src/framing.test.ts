import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { concatBytes } from './bytes.js';
import { decompressGrpcMessage } from './decompress.js';
import { decodeGrpcWebText, frameGrpcMessage, frameGrpcWebTrailers, splitGrpcFrames } from './framing.js';

const message = protobuf.Writer.create().uint32(10).string('hello').finish();

describe('splitGrpcFrames', () => {
  it('splits length-prefixed messages', () => {
    const body = concatBytes([frameGrpcMessage(message), frameGrpcMessage(Uint8Array.of(8, 1), 1)]);
    const { messages, problems } = splitGrpcFrames(body);
    expect(problems).toEqual([]);
    expect(messages.map((m) => [m.compressed, m.size, m.truncated, [...m.data]])).toEqual([
      [false, message.length, false, [...message]],
      [true, 2, false, [8, 1]],
    ]);
  });

  it('reports a partial last message as truncated instead of throwing', () => {
    const body = concatBytes([frameGrpcMessage(message), frameGrpcMessage(message)]).subarray(0, 5 + message.length + 7);
    const { messages } = splitGrpcFrames(body, { bodyTruncated: true });
    expect(messages[1]).toMatchObject({ size: message.length, truncated: true });
    expect(messages[1]!.data.length).toBe(2);
    expect(splitGrpcFrames(Uint8Array.of(0, 0, 0), { bodyTruncated: true }).problems[0]).toMatch(/inside a message prefix/);
  });

  it('parses the gRPC-Web trailer frame into a header list', () => {
    const body = concatBytes([frameGrpcMessage(message), frameGrpcWebTrailers([['grpc-status', '5'], ['grpc-message', 'no%20such item']])]);
    const frames = splitGrpcFrames(body, { web: true });
    expect(frames.messages).toHaveLength(1);
    expect(frames.trailers).toEqual([['grpc-status', '5'], ['grpc-message', 'no%20such item']]);
  });

  it('decodes grpc-web-text sent in separately padded base64 chunks', () => {
    const first = frameGrpcMessage(Uint8Array.of(8, 1));
    const second = frameGrpcWebTrailers([['grpc-status', '0']]);
    const text = Buffer.from(first).toString('base64') + Buffer.from(second).toString('base64');
    expect(text.slice(0, 12)).toContain('=');
    const decoded = decodeGrpcWebText(new TextEncoder().encode(text));
    expect(decoded.problem).toBeUndefined();
    expect([...decoded.bytes]).toEqual([...first, ...second]);
    expect(decodeGrpcWebText(new TextEncoder().encode('AAAA*')).problem).toMatch(/invalid base64/);
  });
});

describe('decompressGrpcMessage', () => {
  it('gunzips a real gzip of a real message', async () => {
    const result = await decompressGrpcMessage(gzipSync(message), 'gzip', 1024);
    expect(result).toEqual({ bytes: new Uint8Array(message), truncated: false });
  });

  it('caps the output of a decompression bomb', async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024));
    const result = await decompressGrpcMessage(bomb, 'gzip', 64 * 1024);
    expect('bytes' in result && result.bytes.length).toBe(64 * 1024);
    expect('bytes' in result && result.truncated).toBe(true);
  });

  it('leaves unknown encodings and corrupt data undecoded, with the reason', async () => {
    expect(await decompressGrpcMessage(message, 'snappy', 1024)).toEqual({ undecoded: expect.stringMatching(/snappy/) as unknown });
    expect(await decompressGrpcMessage(message, 'gzip', 1024)).toEqual({ undecoded: expect.stringMatching(/^gzip: /) as unknown });
  });
});
