import { describe, expect, it } from 'vitest';
import type { Exchange } from '../exchange.js';
import { toStoredExchange } from './to-stored.js';
import type { GrpcRecord } from './grpc-record.js';
import type { WebSocketRecord } from './websocket-record.js';

function exchange(extra: Partial<Exchange>): Exchange {
  return {
    id: 7,
    client: { address: '127.0.0.1', port: 5000 },
    source: '127.0.0.1',
    tls: false,
    request: { method: 'GET', url: 'http://example.test/chat', httpVersion: '1.1', headers: [] },
    timings: { startedAt: 1, total: 2 },
    sizes: { requestBody: 0, responseBody: 0 },
    mocked: false,
    meta: {},
    ...extra,
  } as Exchange;
}

describe('toStoredExchange', () => {
  it('carries the WebSocket and gRPC records', () => {
    const websocket: WebSocketRecord = {
      messages: [{ fromClient: true, opcode: 1, time: 3, size: 2, text: 'hi', truncated: false }],
      closeCode: 1000,
      closeReason: 'bye',
      closedBy: 'client',
      droppedMessages: 0,
    };
    const grpc: GrpcRecord = { service: 'a.B', method: 'C', web: false, text: false, requestMessages: [], responseMessages: [], omittedMessages: 0 };
    const stored = toStoredExchange(exchange({ websocket, grpc }));
    expect(stored.websocket).toEqual(websocket);
    expect(stored.grpc).toEqual(grpc);
  });

  it('leaves them out of a plain exchange', () => {
    const stored = toStoredExchange(exchange({}));
    expect('websocket' in stored).toBe(false);
    expect('grpc' in stored).toBe(false);
  });
});
