import type { GroupLevel } from './options.js';

/** What replaces an identifier-like path segment in an endpoint folder's name. */
export const ID_PLACEHOLDER = ':id';

const NUMBER = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Hex of 8+ characters with a digit in it (object ids, hashes), so words such as `deadbeef` or `facade` stay. */
const HEX = /^(?=[0-9a-f]*\d)[0-9a-f]{8,}$/i;
/** ULIDs: 26 characters of Crockford's base32, starting with a time digit. */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** True when a path segment looks like an identifier: a number, a UUID, long hex or a ULID. */
export function isIdentifier(segment: string): boolean {
  return NUMBER.test(segment) || UUID.test(segment) || HEX.test(segment) || ULID.test(segment);
}

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
