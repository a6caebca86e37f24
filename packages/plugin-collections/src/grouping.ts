import { isIdentifier } from '@capture/core/record';
import type { GroupLevel } from './options.js';

/** What replaces an identifier-like path segment in an endpoint folder's name. */
export const ID_PLACEHOLDER = ':id';

/** True when a path segment looks like an identifier (core's rule, shared with OpenAPI templating). */
export { isIdentifier };

/**
 * The endpoint a path belongs to: identifier-like segments collapse to `:id`, so `/users/42`
 * and `/users/7` are both `/users/:id`. The query string is not part of it.
 */
export function endpointOf(pathname: string): string {
  return pathname
    .split('/')
    .map((segment) => (isIdentifier(segment) ? ID_PLACEHOLDER : segment))
    .join('/');
}

/** The domain folder of a URL: the host, with the port when it is not the scheme's default. */
export function domainOf(url: URL): string {
  // URL.host already leaves out a default port (80 for http, 443 for https).
  return url.host;
}

/** The folder names, outermost first, a request to `rawUrl` goes into. */
export function folderPath(rawUrl: string, groupBy: readonly GroupLevel[]): string[] {
  if (!groupBy.length) return [];
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    // The core only hands out absolute URLs; a broken one still gets saved, outside any folder.
    return [];
  }
  return groupBy.map((level) => (level === 'domain' ? domainOf(url) : endpointOf(url.pathname)));
}
