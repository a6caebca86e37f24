/**
 * `@capture/plugin-grpc/record`: the gRPC record (`exchange.grpc`, defined in `@capture/core/record`) and the helpers that read
 * and show it without Node: framing, schema-less decoding and its protoc text rendering, status
 * names. It imports nothing from Node, so the web view's page can bundle it.
 */
export type { GrpcRecord, GrpcMessage, RawMessage, RawField, RawDecodeError } from './record.js';
export { GRPC_STATUS_NAMES, grpcStatusName, parseGrpcStatus, decodeGrpcMessage, formatGrpcStatus, type GrpcStatusName } from './status.js';
export { decodeRaw, formatDecodeRaw, type DecodeRawOptions } from './decode-raw.js';
export {
  splitGrpcFrames,
  parseTrailerFrame,
  decodeGrpcWebText,
  frameGrpcMessage,
  frameGrpcWebTrailers,
  type GrpcFrame,
  type GrpcFrames,
  type SplitOptions,
  type WebTextBody,
} from './framing.js';
export { grpcFlavour, grpcFlavourOf, parseGrpcPath, type GrpcFlavour } from './call.js';
