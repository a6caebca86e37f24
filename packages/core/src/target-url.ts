import { formatAuthority } from './host-pattern.js';
import type { SocketInfo } from './socket-info.js';

/**
 * The absolute URL of an origin-form request on a decrypted connection, as the client meant it:
 * no default port (`https://registry.example/path`, not `:443`), IPv6 hosts in brackets.
 */
export function targetUrl(target: NonNullable<SocketInfo['target']>, path: string): string {
  const scheme = target.secure ? 'https' : 'http';
  const host = target.hostname.includes(':') ? `[${target.hostname}]` : target.hostname;
  return target.port === (target.secure ? 443 : 80) ? `${scheme}://${host}${path}` : `${scheme}://${formatAuthority(target.hostname, target.port)}${path}`;
}

/** Code units of the characters that end a URL's authority: `/`, `?`, `#`. */
const SLASH = 47;
const QUESTION = 63;
const HASH = 35;

/**
 * An absolute-form URL without the scheme's default port (`http://host:80/` is `http://host/`;
 * `:443` for https and wss, `:80` for http and ws); other URLs unchanged. String scanning, no
 * URL parsing: this runs for every proxied request.
 */
export function withoutDefaultPort(url: string): string {
  const schemeEnd = url.indexOf('://');
  if (schemeEnd < 2 || schemeEnd > 5) return url;
  const start = schemeEnd + 3;
  let end = start;
  while (end < url.length) {
    const code = url.charCodeAt(end);
    if (code === SLASH || code === QUESTION || code === HASH) break;
    end++;
  }
  const port = defaultPort(url, schemeEnd);
  if (!port || !url.endsWith(port, end)) return url;
  return url.slice(0, end - port.length) + url.slice(end);
}

/** `:80` or `:443` for the URL's scheme (http, ws, https, wss), else undefined; compares in place, allocating nothing. */
function defaultPort(url: string, schemeEnd: number): string | undefined {
  if (schemeEnd === 4) return url.startsWith('http') ? ':80' : undefined;
  if (schemeEnd === 5) return url.startsWith('https') ? ':443' : undefined;
  if (schemeEnd === 2) return url.startsWith('ws') ? ':80' : undefined;
  if (schemeEnd === 3) return url.startsWith('wss') ? ':443' : undefined;
  return undefined;
}
