import { grpcStatusLine, headerValue } from '@capture/postman-format';
import { parseHeaders } from './record.js';

/**
 * The gRPC status of a stored row (`grpc 5 NOT_FOUND`) from its response headers and trailers
 * (JSON), or null. Cheap for the many rows that are not gRPC: the headers are parsed only when
 * their text names a gRPC content type.
 */
export function grpcStatusOf(responseHeaders: string | null, responseTrailers: string | null): string | null {
  if (!responseHeaders || !/application\/grpc/i.test(responseHeaders)) return null;
  const headers = parseHeaders(responseHeaders);
  if (!headerValue(headers, 'content-type')) return null;
  return grpcStatusLine(headers, responseTrailers ? parseHeaders(responseTrailers) : undefined) ?? null;
}
