import { describe, expect, it } from 'vitest';
import { createCollection, createFolder, toPostmanItem, POSTMAN_COLLECTION_SCHEMA, type SourceExchange } from '../src/index.js';
import { compilePostmanSchema } from './schema.js';

const validate = compilePostmanSchema();
const bytes = (text: string) => Buffer.from(text);

/** One exchange per body mode and response kind the converter produces. */
const exchanges: SourceExchange[] = [
  {
    request: { method: 'GET', url: 'http://127.0.0.1:8080/api/users?page=2&flag#top', headers: [['Host', '127.0.0.1:8080'], ['Accept', 'application/json']] },
    response: { statusCode: 200, statusMessage: 'OK', headers: [['Content-Type', 'application/json']], body: { bytes: bytes('{"users":[]}') } },
    timings: { total: 12.6 },
  },
  {
    request: { method: 'POST', url: 'https://api.example.com/login', headers: [['Content-Type', 'application/x-www-form-urlencoded'], ['Content-Length', '17']], body: { bytes: bytes('user=a&pass=b%26c') } },
    response: { statusCode: 302, statusMessage: 'Found', headers: [['Location', '/home']] },
  },
  {
    request: {
      method: 'POST',
      url: 'http://localhost/upload',
      headers: [['Content-Type', 'multipart/form-data; boundary=XyZ']],
      body: { bytes: bytes('--XyZ\r\nContent-Disposition: form-data; name="title"\r\n\r\nhello\r\n--XyZ\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--XyZ--\r\n') },
    },
  },
  {
    request: { method: 'POST', url: 'http://localhost/graphql', headers: [['Content-Type', 'application/json']], body: { bytes: bytes('{"query":"{ me { id } }","variables":{"a":1}}') } },
    response: { statusCode: 200, headers: [['Content-Type', 'application/json']], body: { bytes: bytes('{"data":{}}'), decoded: true } },
  },
  {
    request: { method: 'PUT', url: 'http://localhost/blob', headers: [['Content-Type', 'application/octet-stream']], body: { bytes: Buffer.from([0, 1, 2, 255]) } },
    response: { statusCode: 200, headers: [['Content-Type', 'image/png']], bodySkipped: 'media' },
  },
  {
    request: { method: 'PROPFIND', url: 'http://[::1]:9000/dav/', headers: [], body: { bytes: bytes('<propfind/>'), truncated: true } },
    response: { statusCode: 207, statusMessage: 'Multi-Status', headers: [['Content-Type', 'application/xml']], body: { bytes: bytes('<multistatus/>') } },
  },
];

describe('Postman Collection v2.1.0 schema', () => {
  it('accepts a collection of items in every body mode, with folders and saved responses', () => {
    const items = exchanges.map((exchange) => toPostmanItem(exchange));
    const collection = createCollection({ name: 'capture test', description: 'made by tests', items: [items[0]!, createFolder('more', items.slice(1))] });
    const valid = validate(collection);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(collection.info.schema).toBe(POSTMAN_COLLECTION_SCHEMA);
    expect(items.map((item) => item.request.body?.mode)).toEqual([undefined, 'urlencoded', 'formdata', 'graphql', 'file', 'raw']);
  });

  it('rejects a broken collection, so the check above means something', () => {
    const collection = createCollection({ name: 'broken', items: [toPostmanItem(exchanges[0]!)] }) as unknown as { item: Array<{ request: { url: unknown } }> };
    collection.item[0]!.request.url = 42;
    expect(validate(collection)).toBe(false);
  });
});

describe('protocols a collection cannot hold', () => {
  const grpcCall: SourceExchange = {
    request: {
      method: 'POST',
      url: 'https://127.0.0.1:50051/shop.Shop/GetItem',
      headers: [['content-type', 'application/grpc'], ['te', 'trailers'], ['grpc-timeout', '5S']],
      body: { bytes: Buffer.from([0, 0, 0, 0, 2, 8, 7]) },
    },
    response: { statusCode: 200, headers: [['content-type', 'application/grpc'], ['grpc-status', '5']] },
  };
  const webSocket: SourceExchange = {
    request: { method: 'GET', url: 'http://127.0.0.1:8080/chat', headers: [['Upgrade', 'websocket'], ['Connection', 'Upgrade'], ['Sec-WebSocket-Version', '13']] },
    response: { statusCode: 101, statusMessage: 'Switching Protocols', headers: [['Upgrade', 'websocket'], ['Connection', 'Upgrade']] },
  };

  it('says in a gRPC item and a WebSocket item that v2.1 cannot hold them, and how to export them instead, in a valid collection', () => {
    const [grpc, ws, plain] = [grpcCall, webSocket, exchanges[0]!].map((exchange) => toPostmanItem(exchange));
    const collection = createCollection({ name: 'protocols', items: [grpc!, ws!, plain!] });
    expect(validate(collection)).toBe(true);
    expect(validate.errors ?? []).toEqual([]);
    expect(grpc!.request.description).toMatch(/^This is a gRPC call: Postman Collection v2\.1 cannot hold gRPC calls/);
    expect(grpc!.request.description).toContain('capture history export --format har');
    expect(grpc!.request.description).toContain('capture history show ID --json');
    // The binary body's own note is kept after it.
    expect(grpc!.request.description).toMatch(/binary data \(application\/grpc\)/);
    expect(ws!.request.description).toMatch(/^This is a WebSocket connection: Postman Collection v2\.1 cannot hold WebSocket messages/);
    expect(ws!.request.description).toContain('_webSocketMessages');
    expect(plain!.request.description).toBeUndefined();
  });

  it('adds no note to an upgrade that was refused (no 101)', () => {
    const refused = toPostmanItem({ ...webSocket, response: { statusCode: 403, headers: [] } });
    expect(refused.request.description).toBeUndefined();
  });
});
