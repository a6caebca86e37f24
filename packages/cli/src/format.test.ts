import pc from 'picocolors';
import { describe, expect, it } from 'vitest';
import type { Exchange } from '@capture/core';
import { exchangeSummary, formatExchangeLine } from './format.js';

const plain = pc.createColors(false);

function exchange(clientVersion: string, originVersion: string): Exchange {
  return {
    id: 1,
    client: { address: '127.0.0.1', port: 5000 },
    source: '127.0.0.1',
    tls: true,
    request: { method: 'GET', url: 'https://example.test/a', httpVersion: clientVersion, headers: [] },
    response: { statusCode: 200, statusMessage: 'OK', httpVersion: originVersion, headers: [] },
    timings: { startedAt: Date.parse('2026-12-01T10:00:00Z'), total: 12 },
    sizes: { requestBody: 0, responseBody: 5 },
    mocked: false,
    meta: {},
  };
}

describe('the live log line', () => {
  it('says h2 when both legs spoke HTTP/2, and which way capture translated when they differ', () => {
    expect(formatExchangeLine(exchange('2', '2'), plain)).toMatch(/ GET 200 https:\/\/example\.test\/a 5 B 12 ms h2$/);
    expect(formatExchangeLine(exchange('2', '1.1'), plain)).toMatch(/ h2→1\.1$/);
    expect(formatExchangeLine(exchange('1.1', '2'), plain)).toMatch(/ 1\.1→h2$/);
    expect(formatExchangeLine(exchange('1.1', '1.1'), plain)).not.toMatch(/h2|→/);
  });

  it('--json carries both versions', () => {
    expect(exchangeSummary(exchange('1.1', '2'))).toMatchObject({ httpVersion: '1.1', upstreamHttpVersion: '2' });
  });
});
