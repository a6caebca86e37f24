/**
 * The search index's side of history: what of a row goes into the FTS5 trigram table (see
 * migration 6 in `schema.ts`) and how a search text becomes a query of it. The index only
 * narrows a search; `query.ts` tests the rows it offers exactly, so what is indexed must hold
 * every trigram of any text the exact test would find in the row.
 */
import { isUtf8 } from 'node:buffer';

/** The FTS5 table that indexes what a search reads. */
export const SEARCH_TABLE = 'exchanges_search';

/**
 * The one-row table holding the index's watermark, `indexed_through`: every row with an id up to
 * it is in {@link SEARCH_TABLE}, every later one is not yet (and so read by every search).
 */
export const SEARCH_STATE_TABLE = 'search_state';

/** True when a body is UTF-8 text (and so indexed as it is). */
export function isText(body: Uint8Array): boolean {
  return isUtf8(body);
}

/**
 * The most of each body the index holds. Indexing costs by distinct trigrams: about 60 µs per KiB
 * of JSON and over 1 ms per KiB of base64 (a 10 MiB text body took the writer 20 s), so a whole
 * large body would stall history. A longer body's row is marked {@link SEARCH_PARTIAL} and every
 * search reads it, so what is found stays what a scan finds; the background indexer leaves such a
 * row's bodies out of the index (its URL and headers go in), since reading them back would cost
 * the writer a copy of each.
 */
export const INDEXED_BODY_BYTES = 16 * 1024;

/** `search_binary` of a row whose bodies are indexed whole, as text. */
export const SEARCH_WHOLE = 0;
/** `search_binary` of a row with a body that is not UTF-8 text (indexed by its printable runs). */
export const SEARCH_BINARY = 1;
/** `search_binary` of a row with a body longer than {@link INDEXED_BODY_BYTES}: every search reads it. */
export const SEARCH_PARTIAL = 2;

/** What a row's `search_binary` column holds for these bodies. */
export function searchFlag(requestBody: Uint8Array | null, responseBody: Uint8Array | null): number {
  if ((requestBody?.byteLength ?? 0) > INDEXED_BODY_BYTES || (responseBody?.byteLength ?? 0) > INDEXED_BODY_BYTES) return SEARCH_PARTIAL;
  return (requestBody && !isText(requestBody)) || (responseBody && !isText(responseBody)) ? SEARCH_BINARY : SEARCH_WHOLE;
}

/** The shortest run of printable ASCII a binary body's index keeps (a search under 3 characters reads every row anyway). */
const MIN_RUN = 3;

/**
 * What of a body the index holds: a UTF-8 body whole; of any other (an image, protobuf,
 * random bytes) only its runs of printable ASCII of 3 or more (as `strings` would print them),
 * one a line, since its other bytes would fill the index with trigrams nobody searches for. A
 * search for printable ASCII text in such a body is found through its runs; one with other
 * characters reads the rows marked `search_binary` (see {@link needsBinaryScan}).
 */
export function searchText(whole: Uint8Array | null): Uint8Array | string | null {
  if (!whole || whole.byteLength === 0) return null;
  const body = indexedPart(whole);
  if (isText(body)) return Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const runs: string[] = [];
  let start = -1;
  for (let index = 0; index <= body.byteLength; index++) {
    const byte = index < body.byteLength ? body[index]! : 0;
    const printable = byte >= 0x20 && byte <= 0x7e;
    if (printable && start < 0) start = index;
    else if (!printable && start >= 0) {
      if (index - start >= MIN_RUN) runs.push(Buffer.from(body.buffer, body.byteOffset + start, index - start).toString('latin1'));
      start = -1;
    }
  }
  return runs.length ? runs.join('\n') : null;
}

/** The first {@link INDEXED_BODY_BYTES} of a body, not cutting a UTF-8 character in two. */
function indexedPart(body: Uint8Array): Uint8Array {
  if (body.byteLength <= INDEXED_BODY_BYTES) return body;
  let end = INDEXED_BODY_BYTES;
  // Back off continuation bytes (10xxxxxx) so the cut falls before a character's first byte.
  for (let back = 0; back < 3 && (body[end]! & 0xc0) === 0x80; back++) end--;
  return body.subarray(0, end);
}

/** True when a search text has characters other than printable ASCII: the index may not hold it for a binary body. */
export function needsBinaryScan(text: string): boolean {
  return /[^\x20-\x7e]/.test(text);
}

/** At most this many trigrams of a long search text go to the index: enough to narrow it to a handful of rows. */
const MAX_TRIGRAMS = 32;

/**
 * An FTS5 query for the rows of the search index that hold every trigram of `text` (each one a
 * quoted string, so any character is literal), or undefined for a text of under 3 characters,
 * which the index cannot narrow: such a search reads every row.
 */
export function trigramMatch(text: string): string | undefined {
  const chars = Array.from(text);
  if (chars.length < 3) return undefined;
  const trigrams = [...new Set(chars.slice(0, -2).map((_, index) => chars.slice(index, index + 3).join('')))];
  // Spread over the whole text when it has more than the cap (the first and the last kept).
  const picked = trigrams.length <= MAX_TRIGRAMS ? trigrams : Array.from({ length: MAX_TRIGRAMS }, (_, index) => trigrams[Math.round((index * (trigrams.length - 1)) / (MAX_TRIGRAMS - 1))]!);
  return picked.map((trigram) => `"${trigram.replaceAll('"', '""')}"`).join(' ');
}
