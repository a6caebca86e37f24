/**
 * Decoding a whole captured exchange into a {@link GrpcRecord}: the pure function the plugin runs
 * in `onExchange`, and that history or the web view can run later on a stored exchange without
 * the plugin in the proxy.
 */
import { getHeader, type HeaderList } from '@capture/core/record';
import { toBase64 } from './bytes.js';
import { grpcFlavourOf, parseGrpcPath, type GrpcFlavour } from './call.js';
import { decodeRaw } from './decode-raw.js';
import { decompressGrpcMessage } from './decompress.js';
import { decodeGrpcWebText, splitGrpcFrames, type GrpcFrame } from './framing.js';
import type { GrpcMessage, GrpcRecord } from './record.js';
import type { GrpcSchema, SchemaMethod } from './schema.js';
import { decodeGrpcMessage, grpcStatusName, parseGrpcStatus } from './status.js';

/** A captured body as both live (`Exchange`) and stored (`StoredExchange`) exchanges carry it. */
export interface GrpcBodyInput {
  /** The captured bytes. */
  readonly bytes: Uint8Array;
  /** True when only the body's start was captured. */
  readonly truncated: boolean;
}

/**
 * The parts of an exchange that gRPC decoding reads: a live `Exchange` and a `StoredExchange` both
 * fit. `response.trailers` is read when present (HTTP/2 trailers, a header list).
 */
export interface GrpcExchangeInput {
  /** The request. */
  readonly request: { readonly url: string; readonly headers: HeaderList; readonly body?: GrpcBodyInput | undefined };
  /** The response, when there was one. */
  readonly response?: { readonly headers: HeaderList; readonly body?: GrpcBodyInput | undefined; readonly trailers?: unknown } | undefined;
}

/** Limits and schema for {@link decodeGrpcExchange}. */
export interface DecodeGrpcOptions {
  /** The `.proto` schema, to decode messages as JSON. */
  readonly schema?: GrpcSchema | undefined;
  /** Messages kept per direction; later ones are counted in `omittedMessages`. Default 1000. */
  readonly maxMessages?: number;
  /** Bytes a compressed message may decompress to; beyond, it is kept truncated. Default 4 MiB. */
  readonly maxDecodedSize?: number;
  /**
   * The largest message (after decompression) decoded, schema-less and by schema; a larger one
   * is recorded undecoded, with a note. Default 128 KiB.
   */
  readonly maxDecodeSize?: number;
  /**
   * Message bytes decoded per exchange, both directions together; messages beyond are recorded
   * undecoded, with a note. Default 1 MiB.
   */
  readonly maxDecodeTotal?: number;
}

/** The default of `maxMessages`. */
export const DEFAULT_MAX_MESSAGES = 1000;
/** The default of `maxDecodedSize`: gRPC's own default maximum message size. */
export const DEFAULT_MAX_DECODED_SIZE = 4 * 1024 * 1024;
/**
 * The default of `maxDecodeSize`. Decoding runs on the proxy's thread at about 150 ms per MiB
 * (a 10 MiB message held every proxied request for 1.5 s): 128 KiB keeps one message's decoding
 * to about 30 ms.
 */
export const DEFAULT_MAX_DECODE_SIZE = 128 * 1024;
/** The default of `maxDecodeTotal`: the decoded record of an exchange stays a few MiB of JSON at most. */
export const DEFAULT_MAX_DECODE_TOTAL = 1024 * 1024;
/** Messages at least this large are followed by a turn of the event loop, so one stream's decoding never runs in one block. */
const YIELD_AFTER = 16 * 1024;

/** True when `value` is a header list (`[name, value][]`): trailers are read defensively. */
export function isHeaderList(value: unknown): value is HeaderList {
  return Array.isArray(value) && value.every((entry) => Array.isArray(entry) && entry.length === 2 && typeof entry[0] === 'string' && typeof entry[1] === 'string');
}

/**
 * Decodes a gRPC or gRPC-Web exchange; undefined when the request is not gRPC (its content type
 * is not `application/grpc*`). Never throws on bad bodies: problems are in the record.
 */
export async function decodeGrpcExchange(exchange: GrpcExchangeInput, options: DecodeGrpcOptions = {}): Promise<GrpcRecord | undefined> {
  const flavour = grpcFlavourOf(exchange.request.headers);
  if (!flavour) return undefined;
  const { service, method } = parseGrpcPath(exchange.request.url);
  const schemaMethod = options.schema?.findMethod(service, method);
  const maxMessages = options.maxMessages ?? DEFAULT_MAX_MESSAGES;
  const maxDecodedSize = options.maxDecodedSize ?? DEFAULT_MAX_DECODED_SIZE;
  const limits: DecodeBudget = { maxDecodeSize: options.maxDecodeSize ?? DEFAULT_MAX_DECODE_SIZE, left: options.maxDecodeTotal ?? DEFAULT_MAX_DECODE_TOTAL, total: options.maxDecodeTotal ?? DEFAULT_MAX_DECODE_TOTAL };
  const problems: string[] = [];
  let omittedMessages = 0;

  const requestEncoding = getHeader(exchange.request.headers, 'grpc-encoding');
  const request = splitBody(exchange.request.body, flavour, problems, 'request');
  const response = exchange.response;
  // The response's own content type decides how its body is read (a text request may get a binary answer).
  const responseFlavour = (response && grpcFlavourOf(response.headers)) ?? flavour;
  const responseEncoding = response ? getHeader(response.headers, 'grpc-encoding') : undefined;
  const answer = splitBody(response?.body, responseFlavour, problems, 'response');

  const decodeAll = async (frames: GrpcFrame[], encoding: string | undefined, decode: ((bytes: Uint8Array) => unknown) | undefined) => {
    omittedMessages += Math.max(0, frames.length - maxMessages);
    const kept = frames.slice(0, maxMessages);
    const messages: GrpcMessage[] = [];
    for (const frame of kept) {
      const message = await decodeMessage(frame, encoding, decode, maxDecodedSize, limits);
      messages.push(message);
      if ((message.decodedSize ?? frame.data.length) >= YIELD_AFTER && message.raw) await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return messages;
  };
  const requestMessages = await decodeAll(request.messages, requestEncoding, schemaMethod?.decodeRequest);
  const responseMessages = await decodeAll(answer.messages, responseEncoding, schemaMethod?.decodeResponse);

  const status = findStatus(answer.trailers, response?.trailers, response?.headers);
  return {
    service,
    method,
    web: flavour.web,
    text: flavour.text,
    ...(status ?? {}),
    ...(answer.trailers ? { trailers: answer.trailers } : {}),
    ...(requestEncoding ? { requestEncoding } : {}),
    ...(responseEncoding ? { responseEncoding } : {}),
    ...schemaTypes(schemaMethod),
    requestMessages,
    responseMessages,
    omittedMessages,
    ...(problems.length ? { problems } : {}),
  };
}

function schemaTypes(method: SchemaMethod | undefined): { requestType?: string; responseType?: string } {
  return method ? { requestType: method.requestType, responseType: method.responseType } : {};
}

function splitBody(body: GrpcBodyInput | undefined, flavour: GrpcFlavour, problems: string[], side: 'request' | 'response') {
  if (!body || body.bytes.length === 0) return { messages: [] as GrpcFrame[], trailers: undefined };
  let bytes = body.bytes;
  if (flavour.text) {
    const decoded = decodeGrpcWebText(bytes);
    if (decoded.problem) problems.push(`${side}: ${decoded.problem}`);
    bytes = decoded.bytes;
  }
  const frames = splitGrpcFrames(bytes, { web: flavour.web, bodyTruncated: body.truncated });
  for (const problem of frames.problems) problems.push(`${side}: ${problem}`);
  return { messages: frames.messages, trailers: frames.trailers };
}

/** The decoding bounds of one exchange: `left` of its `total` bytes may still be decoded. */
interface DecodeBudget {
  readonly maxDecodeSize: number;
  readonly total: number;
  left: number;
}

/** One line for a message left undecoded by the bounds: the bytes themselves are in the captured body. */
function overBound(size: number, budget: DecodeBudget): string | undefined {
  if (size > budget.maxDecodeSize) return `not decoded: ${size} bytes is over maxDecodeSize (${budget.maxDecodeSize} bytes); the bytes are in the captured body`;
  if (size > budget.left) return `not decoded: the exchange's messages are over maxDecodeTotal (${budget.total} bytes decoded per exchange); the bytes are in the captured body`;
  budget.left -= size;
  return undefined;
}

async function decodeMessage(
  frame: GrpcFrame,
  encoding: string | undefined,
  decode: ((bytes: Uint8Array) => unknown) | undefined,
  maxDecodedSize: number,
  budget: DecodeBudget,
): Promise<GrpcMessage> {
  const base = { compressed: frame.compressed, size: frame.size };
  let bytes = frame.data;
  let truncated = frame.truncated;
  let compression: { encoding: string; decodedSize: number } | undefined;
  // Checked before decompressing too: a message over the bound on the wire is over it decompressed.
  const early = frame.data.length > budget.maxDecodeSize ? overBound(frame.data.length, budget) : undefined;
  if (early) return { ...base, truncated, ...(frame.compressed ? { encoding: encoding ?? 'identity' } : {}), undecoded: early };
  if (frame.compressed) {
    const name = encoding ?? 'identity';
    const result = await decompressGrpcMessage(frame.data, name, maxDecodedSize, frame.truncated);
    if ('undecoded' in result) return { ...base, truncated, encoding: name, undecoded: result.undecoded, base64: toBase64(frame.data) };
    bytes = result.bytes;
    truncated ||= result.truncated;
    compression = { encoding: name, decodedSize: bytes.length };
  }
  const over = overBound(bytes.length, budget);
  if (over) return { ...base, truncated, ...(compression ?? {}), undecoded: over };
  const raw = decodeRaw(bytes);
  let bySchema: { json: unknown } | { schemaError: string } | undefined;
  if (decode) {
    try {
      bySchema = { json: decode(bytes) };
    } catch (error) {
      bySchema = { schemaError: `${truncated ? 'truncated message: ' : ''}${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return { ...base, truncated, ...(compression ?? {}), raw, ...(bySchema ?? {}), ...(raw.error ? { base64: toBase64(bytes) } : {}) };
}

type StatusFields = Pick<GrpcRecord, 'status' | 'statusName' | 'message' | 'statusFrom'>;

/** `grpc-status` from the gRPC-Web trailer frame, else the HTTP/2 trailers, else the headers (a trailers-only response). */
function findStatus(frame: HeaderList | undefined, trailers: unknown, headers: HeaderList | undefined): StatusFields | undefined {
  const sources: Array<[NonNullable<GrpcRecord['statusFrom']>, HeaderList | undefined]> = [
    ['trailer-frame', frame],
    ['trailers', isHeaderList(trailers) ? trailers : undefined],
    ['headers', headers],
  ];
  for (const [from, list] of sources) {
    if (!list) continue;
    const status = parseGrpcStatus(getHeader(list, 'grpc-status'));
    if (status === undefined) continue;
    const message = getHeader(list, 'grpc-message');
    return { status, statusName: grpcStatusName(status), ...(message ? { message: decodeGrpcMessage(message) } : {}), statusFrom: from };
  }
  return undefined;
}
