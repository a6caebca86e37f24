import { describe, expect, it } from 'vitest';
import { grpcStatusLine, isGrpcContentType } from './grpc-status.js';

describe('grpcStatusLine', () => {
  it('reads grpc-status from the trailers of a gRPC response', () => {
    expect(grpcStatusLine([['content-type', 'application/grpc']], [['grpc-status', '5'], ['grpc-message', 'no such item']])).toBe('grpc 5 NOT_FOUND');
    expect(grpcStatusLine([['Content-Type', 'application/grpc+proto']], [['grpc-status', '0']])).toBe('grpc 0 OK');
  });

  it('falls back to the headers for a trailers-only answer', () => {
    expect(grpcStatusLine([['content-type', 'application/grpc-web+proto'], ['grpc-status', '16']], undefined)).toBe('grpc 16 UNAUTHENTICATED');
  });

  it('prefers the trailers over the headers', () => {
    expect(grpcStatusLine([['content-type', 'application/grpc'], ['grpc-status', '0']], [['grpc-status', '13']])).toBe('grpc 13 INTERNAL');
  });

  it('is undefined for non-gRPC exchanges and unreadable statuses', () => {
    expect(grpcStatusLine([['content-type', 'application/json'], ['grpc-status', '5']], [['grpc-status', '5']])).toBeUndefined();
    expect(grpcStatusLine([['content-type', 'application/grpcx']], [['grpc-status', '5']])).toBeUndefined();
    expect(grpcStatusLine([['content-type', 'application/grpc']], [])).toBeUndefined();
    expect(grpcStatusLine([['content-type', 'application/grpc']], [['grpc-status', 'five']])).toBeUndefined();
  });

  it('names codes outside the table UNKNOWN_STATUS', () => {
    expect(grpcStatusLine([['content-type', 'application/grpc']], [['grpc-status', '99']])).toBe('grpc 99 UNKNOWN_STATUS');
  });

  it('knows every gRPC media type', () => {
    for (const type of ['application/grpc', 'application/grpc+json', 'application/grpc-web', 'application/grpc-web-text+proto', 'Application/GRPC; charset=x']) {
      expect(isGrpcContentType(type)).toBe(true);
    }
    expect(isGrpcContentType(undefined)).toBe(false);
    expect(isGrpcContentType('application/json')).toBe(false);
  });
});
