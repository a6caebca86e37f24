/**
 * The gRPC part of an exchange record (`exchange.grpc`). One definition, in
 * `@capture/core/record`; re-exported here so this package's API stays as it was.
 */
export type { GrpcRecord, GrpcMessage, RawMessage, RawField, RawDecodeError } from '@capture/core/record';
