import { grpcStatusName } from '@capture/core/record';

/** The status table and its readers live in `@capture/core/record`, shared with every display. */
export { GRPC_STATUS_NAMES, grpcStatusName, parseGrpcStatus, type GrpcStatusName } from '@capture/core/record';

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
