import { describe, expect, it } from 'vitest';
import type { Exchange } from '@capture/core';
import { toStoredExchange, type StoredExchange } from '@capture/core/record';
import { toPostmanItem } from './item.js';

// The package reads core's one exchange record: a stored record and a live exchange (what the
// collections plugin passes) convert alike. The assignments below are checked by `tsc`.

const stored: StoredExchange = {
  id: 7,
  client: { address: '127.0.0.1', port: 50123 },
  tls: false,
  mocked: false,
  request: {
    method: 'POST',
    url: 'http://example.com:80/api/items',
    host: 'example.com',
    httpVersion: '1.1',
    headers: [['Content-Type', 'application/json']],
    body: { bytes: new TextEncoder().encode('{"a":1}'), size: 7, truncated: false, decoded: false },
    bodySize: 7,
  },
  response: { statusCode: 201, statusMessage: 'Created', httpVersion: '1.1', headers: [['Content-Type', 'text/plain']], body: { bytes: new TextEncoder().encode('ok'), size: 2, truncated: false, decoded: false }, bodySize: 2 },
  timings: { startedAt: 1_700_000_000_000, total: 12.4 },
};

describe("core's StoredExchange", () => {
  it('converts to an item with its request body and response example', () => {
    const item = toPostmanItem(stored);
    expect(item.name).toBe('POST /api/items');
    expect(item.request.body).toEqual({ mode: 'raw', raw: '{"a":1}', options: { raw: { language: 'json' } } });
    expect(item.response[0]).toMatchObject({ code: 201, status: 'Created', body: 'ok', responseTime: 12 });
  });

  it('is the shape a live exchange becomes with toStoredExchange', () => {
    const live = {
      id: 7,
      client: { address: '127.0.0.1', port: 50123 },
      tls: false,
      mocked: false,
      request: { method: 'POST', url: stored.request.url, httpVersion: '1.1', headers: stored.request.headers, body: { bytes: Buffer.from('{"a":1}'), size: 7, truncated: false, decoded: false } },
      response: { statusCode: 201, statusMessage: 'Created', httpVersion: '1.1', headers: stored.response!.headers, body: { bytes: Buffer.from('ok'), size: 2, truncated: false, decoded: false } },
      sizes: { requestBody: 7, responseBody: 2 },
      timings: { startedAt: 1_700_000_000_000, total: 12.4 },
    } as unknown as Exchange;
    expect(toPostmanItem(live)).toEqual(toPostmanItem(toStoredExchange(live)));
  });
});
