import { peerCoreRange, Stage, type CapturePlugin, type Exchange } from '@capture/core';
import { grpcFlavourOf } from './call.js';
import { decodeGrpcExchange } from './decode.js';
import { grpcFlags } from './flags.js';
import { PLUGIN_NAME, resolveGrpcOptions, type GrpcOptions, type ResolvedGrpcOptions } from './options.js';
import { loadProtoFiles, type GrpcSchema } from './schema.js';

/** What the plugin offers other plugins through `proxy.plugin('grpc')?.api`. */
export interface GrpcApi {
  /** The options in force. */
  readonly options: ResolvedGrpcOptions;
  /** The schema loaded from `protoFiles`, once the plugin is applied (undefined without files). */
  readonly schema: () => GrpcSchema | undefined;
}

/**
 * gRPC and gRPC-Web capture decoding. For each exchange whose request is `application/grpc*`, sets
 * `exchange.grpc` (and, for older readers, `exchange.meta.grpc`) to a `GrpcRecord`: the service and method, `grpc-status` and
 * `grpc-message` (from the trailers, the gRPC-Web trailer frame or a trailers-only response's
 * headers), and every message split from the bodies, decompressed, decoded without a schema and,
 * with `protoFiles`, by schema. Runs in `onExchange` at `Stage.TRANSFORM`, so storage
 * (`Stage.STORAGE`) and the live log see the record. Nothing forwarded is changed. The `.proto`
 * files are parsed when the plugin is applied: a missing or broken one stops the start, naming
 * the file and line.
 *
 * @example
 * ```ts
 * grpc({ protoFiles: ['protos/shop.proto'], protoPaths: ['protos'] })
 * ```
 */
export function grpc(options: GrpcOptions = {}): CapturePlugin<GrpcApi, GrpcOptions> {
  const resolved = resolveGrpcOptions(options);
  let schema: GrpcSchema | undefined;
  return {
    name: PLUGIN_NAME,
    core: peerCoreRange(import.meta.url),
    api: { options: resolved, schema: () => schema },
    flags: grpcFlags(options),
    apply(proxy) {
      if (resolved.protoFiles.length) schema = loadProtoFiles(resolved.protoFiles, { includeDirs: resolved.protoPaths });
      const decodeInto = async (exchange: Exchange): Promise<void> => {
        const record = await decodeGrpcExchange(exchange, {
          schema,
          maxMessages: resolved.maxMessages,
          maxDecodedSize: resolved.maxDecodedSize,
          maxDecodeSize: resolved.maxDecodeSize,
          maxDecodeTotal: resolved.maxDecodeTotal,
        });
        if (!record) return;
        exchange.grpc = record;
        // Kept for readers written before the record had its own field.
        exchange.meta[PLUGIN_NAME] = record;
      };
      // A maybe-async tap (core's onExchange waits for a returned promise): other exchanges
      // return undefined at once and cost no promise; storage still sees the decoded record.
      proxy.hooks.onExchange.tap({ name: PLUGIN_NAME, stage: Stage.TRANSFORM }, (exchange) =>
        grpcFlavourOf(exchange.request.headers) ? decodeInto(exchange) : undefined,
      );
    },
    reconfigure: (overrides) => grpc({ ...options, ...overrides }),
  };
}
