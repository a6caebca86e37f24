/**
 * The view's access token, kept in the page: never in a cookie, since cookies are not scoped by
 * port and every local dev server on 127.0.0.1 would receive it. The address `capture start`
 * printed (`/?token=…`) bootstraps it; the page keeps it in sessionStorage (scoped to this
 * origin, port included, and to this tab) so a reload keeps working, and takes it out of the
 * address bar so history, bookmarks and screen shares never show it.
 */
const KEY = 'capture-web-token';

function readToken(): string | undefined {
  const fromAddress = new URLSearchParams(location.search).get('token');
  if (fromAddress) {
    try {
      sessionStorage.setItem(KEY, fromAddress);
    } catch {
      // Storage disabled: the token lives in this page only (a reload needs the printed address again).
    }
    history.replaceState(null, '', location.pathname);
    return fromAddress;
  }
  try {
    return sessionStorage.getItem(KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** The token, or undefined when the page was opened without it. */
export const token: string | undefined = readToken();

/** The header every API call carries. */
export function authHeaders(): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}` } : {};
}
