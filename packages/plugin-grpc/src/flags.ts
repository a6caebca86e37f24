import type { PluginFlag } from '@capture/core';
import type { GrpcOptions } from './options.js';

/** A repeatable flag: each occurrence adds a value to the list. */
const repeatable = (value: string, previous: unknown): string[] => [...(Array.isArray(previous) ? (previous as string[]) : []), value];

/**
 * The `capture start` flags of the gRPC plugin. A flag's files are added to the ones the config
 * gives, so `--proto extra.proto` does not drop the config's schema.
 */
export function grpcFlags(options: GrpcOptions): readonly PluginFlag<GrpcOptions>[] {
  const configured = (value: string | readonly string[] | undefined): string[] => (value === undefined ? [] : typeof value === 'string' ? [value] : [...value]);
  return [
    {
      flags: '--proto <file>',
      description: 'a .proto file to decode gRPC messages by schema (repeatable; relative to the working directory)',
      parse: repeatable,
      toOptions: (value) => ({ protoFiles: [...configured(options.protoFiles), ...(value as string[])] }),
    },
    {
      flags: '--proto-path <dir>',
      description: 'a folder searched for imports of the .proto files (repeatable, as protoc -I)',
      parse: repeatable,
      toOptions: (value) => ({ protoPaths: [...configured(options.protoPaths), ...(value as string[])] }),
    },
  ];
}
