/**
 * `@capture/plugin-grpc`: gRPC and gRPC-Web capture decoding. Captured bodies of
 * `application/grpc*` exchanges are split into their length-prefixed messages, decompressed
 * (`grpc-encoding` gzip, deflate), decoded without a schema as `protoc --decode_raw` does and, with
 * `.proto` files, by schema; `grpc-status` and `grpc-message` are read from the trailers. The
 * result is `exchange.meta.grpc`, a {@link GrpcRecord}.
 *
 * @example
 * ```ts
 * import grpc from '@capture/plugin-grpc';
 * export default defineConfig({ plugins: [https(), grpc({ protoFiles: ['protos/shop.proto'] }), history()] });
 * ```
 */
import { grpc, type GrpcApi } from './plugin.js';
import type { GrpcOptions } from './options.js';

export default grpc;
export { grpc, type GrpcApi } from './plugin.js';
export { PLUGIN_NAME, resolveGrpcOptions, type GrpcOptions, type ResolvedGrpcOptions } from './options.js';
export { grpcFlags } from './flags.js';
export {
  decodeGrpcExchange,
  isHeaderList,
  DEFAULT_MAX_MESSAGES,
  DEFAULT_MAX_DECODED_SIZE,
  DEFAULT_MAX_DECODE_SIZE,
  DEFAULT_MAX_DECODE_TOTAL,
  type DecodeGrpcOptions,
  type GrpcExchangeInput,
  type GrpcBodyInput,
} from './decode.js';
export { decompressGrpcMessage, SUPPORTED_ENCODINGS, type DecompressResult } from './decompress.js';
export { loadProtoFiles, type GrpcSchema, type SchemaMethod, type LoadProtoOptions } from './schema.js';
export * from './record-entry.js';

declare module '@capture/core' {
  interface PluginRegistry {
    /** `proxy.plugin('grpc')?.api` is a {@link GrpcApi}. */
    grpc: { api: GrpcApi; options: GrpcOptions };
  }
}
