import { createRequire } from 'node:module';
import type http2 from 'node:http2';

let loaded: typeof http2 | undefined;

/**
 * `node:http2`, loaded by the first HTTP/2 connection (client side or upstream) instead of at
 * import: about 13 ms and 2 MiB that a proxy serving HTTP/1.1 only never pays.
 */
export function loadHttp2(): typeof http2 {
  return (loaded ??= createRequire(import.meta.url)('node:http2') as typeof http2);
}

/**
 * The HTTP/2 error codes and frame flag core uses (RFC 9113 sections 7 and 6.2), as numbers so
 * reading them loads nothing. The same values as `http2.constants.NGHTTP2_*`.
 */
export const H2 = {
  NO_ERROR: 0,
  INTERNAL_ERROR: 2,
  CANCEL: 8,
  FLAG_END_STREAM: 1,
} as const;
