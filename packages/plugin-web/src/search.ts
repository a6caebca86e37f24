import type { HistoryFilter } from '@capture/plugin-history';
import type { ViewExchange } from './view-model.js';

/** Methods the search box reads as a method rather than as text. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE']);
const STATUS = /^([1-5]\d\d|[1-5]xx)$/i;

/** A word that selects by source: `source:run:npm`, or `source:run:` for every `capture run`. */
const SOURCE = /^source:(.+)$/i;

/**
 * What the search box asks for. Words that are a method (`post`) or a status (`404`, `4xx`)
 * select by method or status (any one of several); `source:S` selects by source as
 * `capture history list --source S` does (exact, or a prefix when S ends in `:`); the other
 * words, together as one phrase, must appear in the URL (any case), the headers or the bodies.
 */
export interface ViewQuery {
  methods: string[];
  statuses: string[];
  /** The source asked for (the last `source:` word), or undefined. */
  source?: string;
  text: string;
}

/** True when `source` is `wanted`, or starts with it when `wanted` ends in `:` (history's rule). */
export function sourceMatches(source: string, wanted: string): boolean {
  return wanted.endsWith(':') ? source.startsWith(wanted) : source === wanted;
}

/** Reads the search box. */
export function parseQuery(query: string | null | undefined): ViewQuery {
  const methods: string[] = [];
  const statuses: string[] = [];
  const words: string[] = [];
  let source: string | undefined;
  for (const word of (query ?? '').trim().split(/\s+/).filter(Boolean)) {
    const sourceWord = SOURCE.exec(word);
    if (sourceWord) source = sourceWord[1]!;
    else if (METHODS.has(word.toUpperCase())) methods.push(word.toUpperCase());
    else if (STATUS.test(word)) statuses.push(word.toLowerCase());
    else words.push(word);
  }
  return { methods, statuses, ...(source !== undefined ? { source } : {}), text: words.join(' ') };
}

/** True when the query selects everything. */
export function isEmptyQuery(query: ViewQuery): boolean {
  return !query.methods.length && !query.statuses.length && query.source === undefined && !query.text;
}

/** The same query as history's filter (history searches URL, headers and bodies the same way). */
export function toHistoryFilter(query: ViewQuery): HistoryFilter {
  return {
    ...(query.methods.length ? { methods: query.methods } : {}),
    ...(query.statuses.length ? { statuses: query.statuses } : {}),
    ...(query.source !== undefined ? { source: query.source } : {}),
    ...(query.text ? { search: query.text } : {}),
  };
}

/** A matcher for exchanges held in memory, with history's semantics (URL any case; headers and bodies as written). */
export function queryMatcher(query: ViewQuery): (exchange: ViewExchange) => boolean {
  if (isEmptyQuery(query)) return () => true;
  const lowerText = query.text.toLowerCase();
  const textBytes = Buffer.from(query.text);
  return (exchange) => {
    if (query.methods.length && !query.methods.includes(exchange.request.method.toUpperCase())) return false;
    if (query.statuses.length) {
      const status = exchange.response?.statusCode;
      if (status === undefined) return false;
      if (!query.statuses.some((wanted) => (wanted.endsWith('xx') ? Math.floor(status / 100) === Number(wanted[0]) : status === Number(wanted)))) return false;
    }
    if (query.source !== undefined && !sourceMatches(exchange.source ?? exchange.client.address, query.source)) return false;
    if (!query.text) return true;
    const { request, response } = exchange;
    return (
      request.url.toLowerCase().includes(lowerText) ||
      headersContain(request.headers, query.text) ||
      (response !== undefined && headersContain(response.headers, query.text)) ||
      bytesContain(request.body?.bytes, textBytes) ||
      bytesContain(response?.body?.bytes, textBytes)
    );
  };
}

/** Searches stored bytes (typed `Uint8Array` by the record, Buffers on Node) without copying them. */
function bytesContain(bytes: Uint8Array | undefined, needle: Buffer): boolean {
  return bytes !== undefined && Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(needle);
}

function headersContain(headers: ReadonlyArray<readonly [string, string]>, text: string): boolean {
  return headers.some(([name, value]) => name.includes(text) || value.includes(text));
}
