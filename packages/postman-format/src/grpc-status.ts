import { grpcStatusName, parseGrpcStatus } from '@capture/core/record';
import { headerValue, mediaType } from './text.js';
import type { HeaderPairs } from './types.js';

/** True for a gRPC or gRPC-Web media type (`application/grpc`, `application/grpc+proto`, `application/grpc-web-text`, …). */
export function isGrpcContentType(contentType: string | undefined): boolean {
  return /^application\/grpc(?:$|[+-])/.test(mediaType(contentType).type);
}

/**
 * The status of a gRPC call as the displays show it, `grpc 5 NOT_FOUND`, or undefined when the
 * exchange is not a gRPC call (`headers` is the response's, and its content type is not
 * `application/grpc*`) or carries no readable `grpc-status`. The status is read from the
 * trailers, else from the headers (a trailers-only answer, as gRPC sends for an immediate error).
 * A code outside 0–16 is shown as `UNKNOWN_STATUS`; a value that is not a number is not guessed at.
 */
export function grpcStatusLine(headers: HeaderPairs, trailers: HeaderPairs | undefined): string | undefined {
  if (!isGrpcContentType(headerValue(headers, 'content-type'))) return undefined;
  const raw = (trailers && headerValue(trailers, 'grpc-status')) ?? headerValue(headers, 'grpc-status');
  const code = parseGrpcStatus(raw);
  return code === undefined ? undefined : `grpc ${code} ${grpcStatusName(code)}`;
}
