import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { decodeRaw, formatDecodeRaw } from './decode-raw.js';

const protos = path.join(path.dirname(fileURLToPath(import.meta.url)), '../test/fixtures/protos');

describe('decodeRaw', () => {
  it('decodes the encoding of the protobuf docs example (150 in field 1) as protoc prints it', () => {
    const message = decodeRaw(Uint8Array.from([0x08, 0x96, 0x01]));
    expect(message).toEqual({ fields: [{ number: 1, wireType: 0, kind: 'varint', value: '150' }] });
    expect(formatDecodeRaw(message)).toBe('1: 150\n');
  });

  it('decodes a message encoded by protobufjs: strings, nested messages, fixed32/64, 64-bit varints, bytes', () => {
    const writer = protobuf.Writer.create();
    writer.uint32((1 << 3) | 2).string('testing');
    writer.uint32((2 << 3) | 2).fork().uint32((1 << 3) | 0).uint32(1).ldelim();
    writer.uint32((3 << 3) | 5).fixed32(1);
    writer.uint32((4 << 3) | 1).fixed64(1);
    writer.uint32((5 << 3) | 0).uint64('18446744073709551615');
    writer.uint32((6 << 3) | 2).bytes(Uint8Array.from([0xff, 0x00, 0x0a]));
    writer.uint32((7 << 3) | 2).string('');
    const message = decodeRaw(writer.finish());
    expect(message.error).toBeUndefined();
    expect(formatDecodeRaw(message)).toBe(
      ['1: "testing"', '2 {', '  1: 1', '}', '3: 0x00000001', '4: 0x0000000000000001', '5: 18446744073709551615', '6: "\\377\\000\\n"', '7: ""', ''].join('\n'),
    );
    expect(message.fields[5]).toEqual({ number: 6, wireType: 2, kind: 'bytes', base64: '/wAK' });
  });

  it('decodes a schema-encoded message the same way without the schema', () => {
    const root = protobuf.loadSync(path.join(protos, 'shop.proto'));
    const Item = root.lookupType('shop.v1.Item');
    const bytes = Item.encode(Item.fromObject({ id: 'a1', name: 'Lamp', color: 2, big: '9007199254740993' })).finish();
    expect(formatDecodeRaw(decodeRaw(bytes))).toBe('1: "a1"\n2: "Lamp"\n3: 2\n5: 9007199254740993\n');
  });

  it('decodes groups', () => {
    // field 1 start group, field 2 varint 5, field 1 end group
    const message = decodeRaw(Uint8Array.from([0x0b, 0x10, 0x05, 0x0c]));
    expect(formatDecodeRaw(message)).toBe('1 {\n  2: 5\n}\n');
  });

  it('gives a partial result and where it stopped for malformed input', () => {
    const message = decodeRaw(Uint8Array.from([0x08, 0x01, 0x12, 0x05, 0x61]));
    expect(message.fields).toEqual([{ number: 1, wireType: 0, kind: 'varint', value: '1' }]);
    expect(message.error).toEqual({ offset: 3, reason: 'length 5 runs past the end (1 bytes left)' });
    expect(formatDecodeRaw(message)).toBe('1: 1\n# stopped at byte 3: length 5 runs past the end (1 bytes left)\n');
    expect(decodeRaw(Uint8Array.from([0x0f])).error?.reason).toBe('invalid wire type 7');
    expect(decodeRaw(Uint8Array.from([0x08, 0xff])).error?.reason).toBe('truncated varint');
  });

  it('never throws on random bytes (fuzz, seeded)', () => {
    let seed = 0x2545f491;
    const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) & 0xff;
    for (let round = 0; round < 3000; round++) {
      const bytes = Uint8Array.from({ length: random() % 200 }, random);
      const message = decodeRaw(bytes);
      expect(Array.isArray(message.fields)).toBe(true);
      expect(typeof formatDecodeRaw(message)).toBe('string');
      JSON.stringify(message);
    }
  });

  it('stops trying nested messages beyond maxDepth instead of recursing without bound', () => {
    let writer = protobuf.Writer.create().uint32(8).uint32(1).finish();
    for (let i = 0; i < 200; i++) writer = protobuf.Writer.create().uint32(10).bytes(writer).finish();
    expect(() => formatDecodeRaw(decodeRaw(writer))).not.toThrow();
  });
});
