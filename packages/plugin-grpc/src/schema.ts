/**
 * Decoding by schema: `.proto` files parsed with protobufjs (imports resolved relative to the
 * importing file, then the include folders; Google's well-known types are built in), a method
 * found from the request path `/package.Service/Method`, and its messages turned into JSON by
 * protobuf's JSON mapping (64-bit integers as strings, bytes as base64, enums by name).
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CaptureError } from '@capture/core';
import type * as Protobuf from 'protobufjs';

/** One method of a service in the loaded schema. */
export interface SchemaMethod {
  /** The fully qualified service, e.g. `shop.v1.Catalog`. */
  readonly service: string;
  /** The method as declared, e.g. `GetItem`. */
  readonly method: string;
  /** The fully qualified request message type. */
  readonly requestType: string;
  /** The fully qualified response message type. */
  readonly responseType: string;
  /** Decodes one request message to JSON; throws when the bytes do not fit the type. */
  decodeRequest(bytes: Uint8Array): unknown;
  /** Decodes one response message to JSON; throws when the bytes do not fit the type. */
  decodeResponse(bytes: Uint8Array): unknown;
}

/** The `.proto` files loaded once, when the plugin starts. */
export interface GrpcSchema {
  /** The files given, as absolute paths. */
  readonly files: readonly string[];
  /** The method of `service` (fully qualified) named `method`, if the files declare it. */
  findMethod(service: string, method: string): SchemaMethod | undefined;
}

/** Options of {@link loadProtoFiles}. */
export interface LoadProtoOptions {
  /** Where relative file names (and include folders) are resolved from. Default the working directory. */
  readonly cwd?: string;
  /** Folders searched for imports not found beside the importing file (protoc's `-I`). */
  readonly includeDirs?: readonly string[];
}

const TO_JSON: Protobuf.IConversionOptions = { longs: String, enums: String, bytes: String, json: true };

let loaded: typeof Protobuf | undefined;

/**
 * protobufjs, loaded the first time `.proto` files are: a capture without `--proto` never loads
 * it (about 2 MiB of memory and its start-up time saved). protobufjs is CommonJS, so `require`
 * loads it synchronously and `loadProtoFiles` stays synchronous.
 */
function protobufjs(): typeof Protobuf {
  loaded ??= createRequire(import.meta.url)('protobufjs') as typeof Protobuf;
  return loaded;
}

/**
 * Parses the `.proto` files and resolves every type. A file that is missing or does not parse
 * throws a `CaptureError` (`PROTO_INVALID`) whose one line names the file and, for a syntax
 * error, the line.
 */
export function loadProtoFiles(files: readonly string[], options: LoadProtoOptions = {}): GrpcSchema {
  const cwd = options.cwd ?? process.cwd();
  const absolute = files.map((file) => path.resolve(cwd, file));
  const includeDirs = (options.includeDirs ?? []).map((dir) => path.resolve(cwd, dir));
  const protobuf = protobufjs();
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => resolveImport(origin, target, includeDirs);
  for (const file of absolute) {
    if (!existsSync(file)) throw new CaptureError('PROTO_INVALID', `proto file ${file} not found`);
    try {
      root.loadSync(file, { keepCase: true, alternateCommentMode: true });
    } catch (error) {
      throw new CaptureError('PROTO_INVALID', `proto file ${file}: ${describeLoadError(error)}`, { cause: error });
    }
  }
  try {
    root.resolveAll();
  } catch (error) {
    throw new CaptureError('PROTO_INVALID', `proto files ${absolute.join(', ')}: ${describeLoadError(error)}`, { cause: error });
  }
  const cache = new Map<string, SchemaMethod | undefined>();
  return {
    files: absolute,
    findMethod(service, method) {
      const key = `${service}/${method}`;
      if (!cache.has(key)) cache.set(key, lookupMethod(protobuf, root, service, method));
      return cache.get(key);
    },
  };
}

/** An import: Google's bundled types by name, else beside the importing file, else in an include folder. */
function resolveImport(origin: string, target: string, includeDirs: readonly string[]): string {
  if (target.startsWith('google/protobuf/') || path.isAbsolute(target)) return target;
  const beside = path.resolve(path.dirname(origin), target);
  if (existsSync(beside)) return beside;
  for (const dir of includeDirs) {
    const candidate = path.resolve(dir, target);
    if (existsSync(candidate)) return candidate;
  }
  // Not found anywhere: the read then fails naming the path beside the importer.
  return beside;
}

function describeLoadError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return `cannot read an imported file (${message.replace(/^ENOENT: /, '')})`;
  return message;
}

function lookupMethod(protobuf: typeof Protobuf, root: Protobuf.Root, service: string, method: string): SchemaMethod | undefined {
  let found: Protobuf.ReflectionObject | null;
  try {
    found = root.lookup(service, [protobuf.Service]);
  } catch {
    return undefined;
  }
  if (!(found instanceof protobuf.Service)) return undefined;
  const declared = found.methods[method];
  if (!declared) return undefined;
  declared.resolve();
  const request = declared.resolvedRequestType;
  const response = declared.resolvedResponseType;
  if (!request || !response) return undefined;
  const decode = (type: Protobuf.Type) => (bytes: Uint8Array) => type.toObject(type.decode(bytes), TO_JSON);
  return {
    service,
    method,
    requestType: request.fullName.replace(/^\./, ''),
    responseType: response.fullName.replace(/^\./, ''),
    decodeRequest: decode(request),
    decodeResponse: decode(response),
  };
}
