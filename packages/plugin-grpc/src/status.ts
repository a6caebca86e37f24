/**
 * gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html), by number.
 * Frozen: the index is the code.
 */
export const GRPC_STATUS_NAMES = Object.freeze([
  'OK',
  'CANCELLED',
  'UNKNOWN',
  'INVALID_ARGUMENT',
  'DEADLINE_EXCEEDED',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED',
  'FAILED_PRECONDITION',
  'ABORTED',
  'OUT_OF_RANGE',
  'UNIMPLEMENTED',
  'INTERNAL',
  'UNAVAILABLE',
  'DATA_LOSS',
  'UNAUTHENTICATED',
] as const);

/** A gRPC status code's name, e.g. `NOT_FOUND`. */
export type GrpcStatusName = (typeof GRPC_STATUS_NAMES)[number];

/** The name of status `code` (`grpcStatusName(5)` is `NOT_FOUND`); `UNKNOWN_STATUS` outside 0–16. */
export function grpcStatusName(code: number): GrpcStatusName | 'UNKNOWN_STATUS' {
  return (Number.isInteger(code) ? GRPC_STATUS_NAMES[code] : undefined) ?? 'UNKNOWN_STATUS';
}

/**
 * Reads a `grpc-status` value: a decimal number, else undefined (a malformed status is not
 * guessed at; the raw header stays in the recorded headers).
 */
export function parseGrpcStatus(value: string | undefined): number | undefined {
  if (value === undefined || !/^\s*\d{1,10}\s*$/.test(value)) return undefined;
  return Number(value.trim());
}

/**
 * Decodes a `grpc-message` value, which the gRPC spec percent-encodes; a value that is not valid
 * percent-encoding is kept as it came.
 */
export function decodeGrpcMessage(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * One short label for a status, as the live log, `capture history list` and the web view show
 * it: `grpc 5 NOT_FOUND`, with the message when there is one (`grpc 5 NOT_FOUND: no such item`).
 */
export function formatGrpcStatus(status: number, message?: string): string {
  const label = `grpc ${status} ${grpcStatusName(status)}`;
  return message ? `${label}: ${message}` : label;
}
