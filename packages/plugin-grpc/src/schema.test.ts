import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadProtoFiles } from './schema.js';

const protos = path.join(path.dirname(fileURLToPath(import.meta.url)), '../test/fixtures/protos');

describe('loadProtoFiles', () => {
  it('finds a method and decodes its messages to JSON (imports beside the file, longs as strings, enums by name, bytes base64)', () => {
    const schema = loadProtoFiles(['shop.proto'], { cwd: protos });
    const method = schema.findMethod('shop.v1.Catalog', 'GetItem')!;
    expect(method).toMatchObject({ requestType: 'shop.v1.GetItemRequest', responseType: 'shop.v1.Item' });
    // id "a1", color BLUE, blob 0xff, big 2^63
    const bytes = Uint8Array.of(0x0a, 2, 0x61, 0x31, 0x18, 2, 0x22, 1, 0xff, 0x28, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01);
    expect(method.decodeResponse(bytes)).toEqual({ id: 'a1', color: 'BLUE', blob: '/w==', big: '9223372036854775808' });
    expect(schema.findMethod('shop.v1.Catalog', 'Nope')).toBeUndefined();
    expect(schema.findMethod('other.Service', 'GetItem')).toBeUndefined();
  });

  it('stops with an error naming the file and line of a syntax error, or the missing file', () => {
    expect(() => loadProtoFiles(['broken.proto'], { cwd: protos })).toThrow(/broken\.proto.*line 4/);
    expect(() => loadProtoFiles(['missing.proto'], { cwd: protos })).toThrow(/missing\.proto not found/);
  });
});
