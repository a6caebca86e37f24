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

describe('the live log line for gRPC and WebSocket', () => {
  it('shows the gRPC status with its name and message', () => {
    const call: Exchange = { ...exchange('2', '2'), grpc: { service: 'shop.v1.Catalog', method: 'GetItem', web: false, text: false, status: 5, statusName: 'NOT_FOUND', message: 'no such item', requestMessages: [], responseMessages: [], omittedMessages: 0 } };
    expect(formatExchangeLine(call, plain)).toContain(' grpc 5 NOT_FOUND: no such item');
    expect(exchangeSummary(call)).toMatchObject({ grpcStatus: 5 });
  });

  it('shows how many WebSocket messages passed and how the connection closed', () => {
    const upgraded: Exchange = {
      ...exchange('1.1', '1.1'),
      websocket: { messages: [{ fromClient: true, opcode: 1, time: 0, size: 2, text: 'hi', truncated: false }], closeCode: 1000, closedBy: 'client', droppedMessages: 2 },
    };
    expect(formatExchangeLine(upgraded, plain)).toContain(' ws 3 messages, closed 1000 by client');
  });
});
