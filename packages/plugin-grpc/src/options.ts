import path from 'node:path';
import { z, describeValue, validatePluginOptions } from '@capture/core';
import { DEFAULT_MAX_DECODE_SIZE, DEFAULT_MAX_DECODE_TOTAL, DEFAULT_MAX_DECODED_SIZE, DEFAULT_MAX_MESSAGES } from './decode.js';

/** The plugin's name, its tap name, and the key of its record in `exchange.meta`. */
export const PLUGIN_NAME = 'grpc';

/** What users write: `grpc({ protoFiles: ['protos/shop.proto'] })`. */
export interface GrpcOptions {
  /**
   * `.proto` files to decode messages by schema (one file or a list). Relative paths are resolved
   * from the working directory capture starts in; their imports relative to the importing file,
   * then `protoPaths`. Without any, messages are decoded without a schema only.
   */
  protoFiles?: string | readonly string[];
  /** Folders searched for imports that are not beside the importing file (protoc's `-I`). */
  protoPaths?: readonly string[];
  /** Messages kept per direction of a call (a long stream); later ones are counted, not kept. Default 1000. */
  maxMessages?: number;
  /** Bytes one compressed message may decompress to; a larger one is kept truncated at this size. Default 4 MiB. */
  maxDecodedSize?: number;
  /**
   * The largest message (decompressed) that is decoded, schema-less and by schema; a larger one is
   * recorded undecoded with a note (its bytes stay in the captured body). Decoding runs on the
   * proxy's thread, about 150 ms per MiB: this bounds how long one message holds it. Default 128 KiB.
   */
  maxDecodeSize?: number;
  /** Message bytes decoded per exchange (both directions); later messages are recorded undecoded with a note. Default 1 MiB. */
  maxDecodeTotal?: number;
}

/** The options as the plugin uses them: paths absolute, defaults filled. */
export interface ResolvedGrpcOptions {
  /** See {@link GrpcOptions.protoFiles}: absolute paths. */
  readonly protoFiles: readonly string[];
  /** See {@link GrpcOptions.protoPaths}: absolute paths. */
  readonly protoPaths: readonly string[];
  /** See {@link GrpcOptions.maxMessages}. */
  readonly maxMessages: number;
  /** See {@link GrpcOptions.maxDecodedSize}. */
  readonly maxDecodedSize: number;
  /** See {@link GrpcOptions.maxDecodeSize}. */
  readonly maxDecodeSize: number;
  /** See {@link GrpcOptions.maxDecodeTotal}. */
  readonly maxDecodeTotal: number;
}

const pathString = z.string({ error: (issue) => `expected a file path, got ${describeValue(issue.input)}` }).min(1, 'expected a file path, got ""');
const positive = (fallback: number) =>
  z.number({ error: (issue) => `expected a positive integer, got ${describeValue(issue.input)}` }).int().positive().default(fallback);

const schema = z.strictObject({
  protoFiles: z.union([pathString, z.array(pathString)]).optional(),
  protoPaths: z.array(pathString).optional(),
  maxMessages: positive(DEFAULT_MAX_MESSAGES),
  maxDecodedSize: positive(DEFAULT_MAX_DECODED_SIZE),
  maxDecodeSize: positive(DEFAULT_MAX_DECODE_SIZE),
  maxDecodeTotal: positive(DEFAULT_MAX_DECODE_TOTAL),
});

/**
 * Validates the options and resolves paths from `cwd` (default the working directory). Throws a
 * `PluginError` (`CONFIG_INVALID`) naming the option, e.g. `grpc: option "protoFiles[0]": expected a file path, got 3`.
 */
export function resolveGrpcOptions(options: unknown = {}, cwd: string = process.cwd()): ResolvedGrpcOptions {
  const parsed = validatePluginOptions(PLUGIN_NAME, schema, options);
  const files = parsed.protoFiles === undefined ? [] : typeof parsed.protoFiles === 'string' ? [parsed.protoFiles] : parsed.protoFiles;
  return {
    protoFiles: files.map((file) => path.resolve(cwd, file)),
    protoPaths: (parsed.protoPaths ?? []).map((dir) => path.resolve(cwd, dir)),
    maxMessages: parsed.maxMessages,
    maxDecodedSize: parsed.maxDecodedSize,
    maxDecodeSize: parsed.maxDecodeSize,
    maxDecodeTotal: parsed.maxDecodeTotal,
  };
}
