import type { SourceRequest } from './types.js';

/** An HTTP token (RFC 9110): what a method may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Why a request cannot be a Postman request, or undefined when it can. A collection holds only
 * absolute http(s) URLs and token methods; anything else (a malformed request a client sent,
 * stored with an empty URL) is skipped and counted by the exporters instead of failing the whole
 * export.
 */
export function postmanSkipReason(request: Pick<SourceRequest, 'method' | 'url'>): string | undefined {
  if (!TOKEN.test(request.method)) return 'method is not an HTTP token';
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return 'URL is not an absolute URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'URL is not an http(s) URL';
  return undefined;
}
