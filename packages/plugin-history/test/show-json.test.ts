import { describe, expect, it } from 'vitest';
import type { StoredExchange } from '@capture/core';
import { exchangeToJson } from '../src/commands/show.js';

/** A stored POST whose request body is `bytes`, sent with `contentType`. */
function upload(bytes: Buffer, contentType: string): StoredExchange {
  return {
    id: 1,
    client: { address: '127.0.0.1', port: 50000 },
    tls: false,
    mocked: false,
    timings: { startedAt: 1_700_000_000_000, total: 1 },
    request: { method: 'POST', url: 'http://origin.test/up', httpVersion: '1.1', headers: [['content-type', contentType]], bodySize: bytes.length, body: { bytes, size: bytes.length, truncated: false, decoded: true } },
  } as unknown as StoredExchange;
}

describe('capture history show --json', () => {
  it('gives a body declared as a form but not valid UTF-8 in base64, byte for byte', () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 13) % 251));
    const body = exchangeToJson(upload(bytes, 'application/x-www-form-urlencoded')).request.body as { text?: string; base64?: string };
    expect(body.text).toBeUndefined();
    expect(Buffer.from(body.base64!, 'base64').equals(bytes)).toBe(true);
  });

  it('gives a form that is valid UTF-8, and text in another charset, as text', () => {
    const form = Buffer.from('name=Zoë&city=Zürich');
    expect((exchangeToJson(upload(form, 'application/x-www-form-urlencoded')).request.body as { text?: string }).text).toBe('name=Zoë&city=Zürich');
    const latin1 = Buffer.from('café', 'latin1');
    expect((exchangeToJson(upload(latin1, 'text/plain; charset=iso-8859-1')).request.body as { text?: string }).text).toBe('café');
  });
});
