import { headerValue, mediaType } from './text.js';
import type { HeaderPairs } from './types.js';

/**
 * gRPC status code names (https://grpc.github.io/grpc/core/md_doc_statuscodes.html), by number.
 * The same table as `@capture/plugin-grpc/record`'s `GRPC_STATUS_NAMES`: the displays here (history,
 * the web view, collections) may not load another plugin's code, so it lives here until both move
 * to `@capture/core/record`.
 */
const STATUS_NAMES: readonly string[] = Object.freeze([
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS',
  'UNAUTHENTICATED',
]);

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
  if (raw === undefined || !/^\s*\d{1,10}\s*$/.test(raw)) return undefined;
  const code = Number(raw.trim());
  return `grpc ${code} ${STATUS_NAMES[code] ?? 'UNKNOWN_STATUS'}`;
}
