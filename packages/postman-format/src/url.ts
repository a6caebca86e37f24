import type { PostmanQueryParam, PostmanUrl } from './types.js';

/**
 * Breaks an absolute URL down the way Postman stores it. Path segments and query values keep
 * their percent-encoding, as Postman does, so the request it sends is byte-for-byte the same.
 */
export function toPostmanUrl(raw: string): PostmanUrl {
  const url = new URL(raw);
  const hostname = url.hostname;
  const result: PostmanUrl = {
    raw: url.href,
    protocol: url.protocol.replace(/:$/, ''),
    host: hostname.startsWith('[') ? [hostname] : hostname.split('.'),
    path: url.pathname.split('/').slice(1),
  };
  if (url.port) result.port = url.port;
  const query = parseQuery(url.search);
  if (query.length) result.query = query;
  if (url.hash.length > 1) result.hash = url.hash.slice(1);
  return result;
}

/** Splits `?a=1&b&c=` into Postman query parameters without decoding them (`b` has a null value). */
function parseQuery(search: string): PostmanQueryParam[] {
  if (search.length <= 1) return [];
  return search
    .slice(1)
    .split('&')
    .map((pair) => {
      const at = pair.indexOf('=');
      return at === -1 ? { key: pair, value: null } : { key: pair.slice(0, at), value: pair.slice(at + 1) };
    });
}
