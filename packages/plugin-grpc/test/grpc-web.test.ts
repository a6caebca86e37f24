import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { afterEach, describe, expect, it } from 'vitest';
import { collectExchanges, requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import grpc, { type GrpcRecord } from '../src/index.js';
import { concatBytes } from '../src/bytes.js';
import { decodeGrpcWebText, frameGrpcMessage, frameGrpcWebTrailers, splitGrpcFrames } from '../src/framing.js';

const protos = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/protos');
const root = protobuf.loadSync(path.join(protos, 'shop.proto'));
const GetItemRequest = root.lookupType('shop.v1.GetItemRequest');
const Item = root.lookupType('shop.v1.Item');

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
});

/** A gRPC-Web origin for shop.v1.Catalog/GetItem: `missing` is NOT_FOUND, anything else an Item. */
function catalog(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const text = (req.headers['content-type'] ?? '').startsWith('application/grpc-web-text');
    const body = new Uint8Array(Buffer.concat(chunks));
    const frames = splitGrpcFrames(text ? decodeGrpcWebText(body).bytes : body, { web: true });
    const request = GetItemRequest.toObject(GetItemRequest.decode(frames.messages[0]!.data)) as { id: string };
    const parts =
      request.id === 'missing'
        ? [frameGrpcWebTrailers([['grpc-status', '5'], ['grpc-message', 'no%20item%20missing']])]
        : [frameGrpcMessage(Item.encode(Item.fromObject({ id: request.id, name: 'Lamp', color: 2, big: '9007199254740993' })).finish()), frameGrpcWebTrailers([['grpc-status', '0']])];
    const answer = Buffer.from(concatBytes(parts));
    res.writeHead(200, { 'content-type': text ? 'application/grpc-web-text+proto' : 'application/grpc-web+proto' });
    // A text answer in two separately padded base64 chunks, as servers stream it.
    if (text) res.end(parts.map((part) => Buffer.from(part).toString('base64')).join(''));
    else res.end(answer);
  });
}

const call = (id: string, text: boolean) => {
  const framed = Buffer.from(frameGrpcMessage(GetItemRequest.encode(GetItemRequest.fromObject({ id, version: 7 })).finish()));
  return requestThroughProxy(proxy!.port, `${origin!.url}/shop.v1.Catalog/GetItem`, {
    method: 'POST',
    headers: { 'content-type': text ? 'application/grpc-web-text' : 'application/grpc-web+proto', 'x-grpc-web': '1', accept: 'application/grpc-web' },
    body: text ? framed.toString('base64') : framed,
  });
};

describe('gRPC-Web through a capture proxy', () => {
  it('records service, method, status and messages decoded by schema (binary and text)', async () => {
    origin = await startOrigin(catalog);
    proxy = await startProxy({ plugins: [grpc({ protoFiles: [path.join(protos, 'shop.proto')] })] });
    const exchanges = collectExchanges(proxy.proxy);

    const missing = await call('missing', false);
    expect(missing.status).toBe(200);
    const first = (await exchanges.next()).meta.grpc as GrpcRecord;
    expect(first).toMatchObject({ service: 'shop.v1.Catalog', method: 'GetItem', web: true, text: false, status: 5, statusName: 'NOT_FOUND', message: 'no item missing', statusFrom: 'trailer-frame' });
    expect(first.requestType).toBe('shop.v1.GetItemRequest');
    expect(first.requestMessages).toHaveLength(1);
    expect(first.requestMessages[0]!.json).toEqual({ id: 'missing', version: '7' });
    expect(first.responseMessages).toEqual([]);

    const found = await call('a1', true);
    expect(found.status).toBe(200);
    const second = (await exchanges.next()).meta.grpc as GrpcRecord;
    expect(second).toMatchObject({ web: true, text: true, status: 0, statusName: 'OK' });
    expect(second.requestMessages[0]!.json).toEqual({ id: 'a1', version: '7' });
    expect(second.responseMessages.map((m) => m.json)).toEqual([{ id: 'a1', name: 'Lamp', color: 'BLUE', big: '9007199254740993' }]);
    expect(JSON.parse(JSON.stringify(second))).toEqual(second);
  });

  it('decodes messages without a schema as protoc --decode_raw does', async () => {
    origin = await startOrigin(catalog);
    proxy = await startProxy({ plugins: [grpc()] });
    const exchanges = collectExchanges(proxy.proxy);
    await call('a1', false);
    const record = (await exchanges.next()).meta.grpc as GrpcRecord;
    expect(record).toMatchObject({ service: 'shop.v1.Catalog', method: 'GetItem', status: 0 });
    expect(record.requestMessages[0]!.raw).toEqual({ fields: [{ number: 1, wireType: 2, kind: 'string', value: 'a1' }, { number: 2, wireType: 0, kind: 'varint', value: '7' }] });
    expect(record.responseMessages[0]!.json).toBeUndefined();
    expect(record.responseMessages[0]!.raw?.fields.map((f) => f.number)).toEqual([1, 2, 3, 5]);
  });

  it('marks the last message truncated when the capture cap cut the body, and still forwards it whole', async () => {
    const blob = Buffer.alloc(4096, 7);
    origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/grpc-web+proto' });
      res.end(Buffer.from(concatBytes([frameGrpcMessage(Item.encode(Item.fromObject({ id: 'big', blob })).finish()), frameGrpcWebTrailers([['grpc-status', '0']])])));
    });
    proxy = await startProxy({ maxBodySize: 1024, plugins: [grpc({ protoFiles: [path.join(protos, 'shop.proto')] })] });
    const exchanges = collectExchanges(proxy.proxy);
    const response = await call('big', false);
    expect(response.body.length).toBeGreaterThan(4096);
    const record = (await exchanges.next()).meta.grpc as GrpcRecord;
    expect(record.responseMessages).toHaveLength(1);
    expect(record.responseMessages[0]).toMatchObject({ truncated: true, schemaError: expect.stringMatching(/^truncated message/) as unknown });
    expect(record.responseMessages[0]!.size).toBeGreaterThan(4096);
    expect(record.status).toBeUndefined();
  });

  it('stops the start with an error naming a broken .proto file and its line', async () => {
    await expect(startProxy({ plugins: [grpc({ protoFiles: [path.join(protos, 'broken.proto')] })] })).rejects.toThrow(/grpc: proto file .*broken\.proto.*line 4/);
  });
});
