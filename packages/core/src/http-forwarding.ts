import { noteForwarded } from './young-garbage.js';
import { Transform } from 'node:stream';
import type { BodyCollector } from './body-capture.js';
import type { ClientRequest } from './http-exchange.js';

/*
 * The pure helpers of the HTTP exchange (http-exchange.ts): the request body tee, the request
 * target and reason phrase as they go on the wire, and header-list utilities.
 */

/**
 * The request body as the dispatcher reads it, counted and captured on the way. Piping through a
 * transform (rather than adding a 'data' listener to the request) guarantees no chunk flows past
 * before the dispatcher is ready to read it, and keeps backpressure to the client.
 */
export function teeInto(body: ClientRequest, collector: BodyCollector): Transform {
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      collector.push(chunk);
      noteForwarded(chunk.length);
      callback(null, chunk);
    },
  });
  body.on('error', (error) => tap.destroy(error));
  return body.pipe(tap);
}

/**
 * The path and query to send upstream, as the URL has them: a proxy must not rewrite them (RFC
 * 9110 section 7.7), so no dot-segment removal and an empty query (`/x?`) stays. The parsed,
 * normalised form only for what cannot go on the wire as written (a backslash ending the
 * authority, characters outside visible ASCII in a URL a plugin set).
 */
export function requestTarget(url: string, parsed: URL): string {
  const start = url.indexOf('://') + 3;
  let end = start;
  while (end < url.length) {
    const code = url.charCodeAt(end);
    if (code === 47 || code === 63 || code === 35 || code === 92) break; // / ? # \
    end++;
  }
  const hash = url.indexOf('#', end);
  const raw = url.slice(end, hash < 0 ? url.length : hash);
  if (raw === '') return '/';
  if (raw.charCodeAt(0) === 92 || /[^\x21-\x7e]/.test(raw)) return parsed.pathname + parsed.search;
  return raw.charCodeAt(0) === 63 ? `/${raw}` : raw;
}

/**
 * undici decodes the reason phrase as UTF-8 while Node writes it as latin1 (one byte per
 * character, and throws for characters above U+00FF, which cut the client connection without an
 * answer). Re-encoding gives back the bytes the upstream sent for ASCII and UTF-8 reasons; bytes
 * that were not UTF-8 arrive as U+FFFD and go on as its three bytes, recorded as forwarded.
 */
export function reasonAsOnTheWire(statusText: string): string {
  for (let i = 0; i < statusText.length; i++) {
    if (statusText.charCodeAt(i) > 0x7e) return Buffer.from(statusText, 'utf8').toString('latin1');
  }
  return statusText;
}

/** An error's message, or the thrown value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `[name, value, …]` as one entry per lower-case name with all its values, in order. */
export function groupHeaders(flat: readonly string[]): Map<string, string[]> {
  const grouped = new Map<string, string[]>();
  for (let i = 0; i + 1 < flat.length; i += 2) {
    const name = flat[i]!.toLowerCase();
    const values = grouped.get(name);
    if (values) values.push(flat[i + 1]!);
    else grouped.set(name, [flat[i + 1]!]);
  }
  return grouped;
}

/** True when a flat header list carries `Host`. */
export function hasHost(flat: string[]): boolean {
  for (let i = 0; i < flat.length; i += 2) if (flat[i]!.toLowerCase() === 'host') return true;
  return false;
}
