import { expect, it } from 'vitest';
import { formatGrpcStatus, grpcStatusName, parseGrpcStatus } from './status.js';

it('names status codes and formats them as the live log shows them', () => {
  expect(grpcStatusName(0)).toBe('OK');
  expect(grpcStatusName(16)).toBe('UNAUTHENTICATED');
  expect(grpcStatusName(17)).toBe('UNKNOWN_STATUS');
  expect(formatGrpcStatus(5)).toBe('grpc 5 NOT_FOUND');
  expect(formatGrpcStatus(5, 'no such item')).toBe('grpc 5 NOT_FOUND: no such item');
  expect(parseGrpcStatus(' 5 ')).toBe(5);
  expect(parseGrpcStatus('five')).toBeUndefined();
});
