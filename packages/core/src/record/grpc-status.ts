/**
 * gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html), by number: the one
 * table the gRPC plugin, history, the web view and the Postman conversion all show names from.
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
