import type { HeaderList } from './exchange.js';

/**
 * Headers that describe one connection, not the message, so a proxy must not forward them
 * (RFC 9110 section 7.6.1), plus `Proxy-Connection`, the legacy spelling clients still send
 * to proxies. `Proxy-Authorization` is removed on request (the exchanges always ask: capture
 * consumes it, with or without `auth`).
 */
const HOP_BY_HOP = new Set(['connection', 'proxy-connection', 'keep-alive', 'te', 'transfer-encoding', 'upgrade']);

/** Lengths of every header name this module may drop (hop-by-hop, Proxy-Authorization, Expect). */
const CANDIDATE_LENGTHS = new Set([...HOP_BY_HOP, 'proxy-authorization', 'expect'].map((name) => name.length));

/** Options for {@link toForwardedHeaders}. */
export interface ForwardHeaderOptions {
  /** Keep `Connection: upgrade` and `Upgrade` (for WebSocket handshakes). */
  keepUpgrade?: boolean;
  /** Also drop `Proxy-Authorization` (meant for the proxy, never for the origin). */
  dropProxyAuthorization?: boolean;
  /** Also drop `Expect` (the proxy answers `100 Continue` itself). */
  dropExpect?: boolean;
}

/**
 * Turns a header list into the flat `[name, value, ...]` array Node sends as-is, without the
 * hop-by-hop headers and without any header the `Connection` header names.
 */
export function toForwardedHeaders(headers: HeaderList, options: ForwardHeaderOptions = {}): string[] {
  let named: Set<string> | undefined;
  for (const [name, value] of headers) {
    if (name.length === 10 && name.toLowerCase() === 'connection') {
      for (const token of value.split(',')) {
        const trimmed = token.trim().toLowerCase();
        if (trimmed && trimmed !== 'close' && trimmed !== 'keep-alive' && trimmed !== 'upgrade') {
          (named ??= new Set()).add(trimmed);
        }
      }
    }
  }
  const flat: string[] = [];
  for (const [name, value] of headers) {
    // Most headers cannot be one we drop: their length says so without lowercasing them.
    if (!CANDIDATE_LENGTHS.has(name.length) && !named) {
      flat.push(name, value);
      continue;
    }
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) {
      // A WebSocket handshake needs exactly these two on the next hop too.
      if (options.keepUpgrade && lower === 'upgrade') flat.push(name, value);
      if (options.keepUpgrade && lower === 'connection') flat.push(name, 'Upgrade');
      continue;
    }
    if (named?.has(lower)) continue;
    if (options.dropProxyAuthorization && lower === 'proxy-authorization') continue;
    if (options.dropExpect && lower === 'expect') continue;
    flat.push(name, value);
  }
  return flat;
}

/** True when the client's request has a body (a length above zero, or chunked framing). */
export function requestHasBody(headers: Record<string, string | string[] | undefined>): boolean {
  if (headers['transfer-encoding'] !== undefined) return true;
  const length = headers['content-length'];
  return length !== undefined && length !== '0';
}

/**
 * A proxy must send the target's authority as Host, whatever the client sent (RFC 9112
 * section 3.2.2); the header keeps its position and spelling when present.
 */
export function setHostHeader(flat: string[], host: string): void {
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i]!.length === 4 && flat[i]!.toLowerCase() === 'host') {
      flat[i + 1] = host;
      return;
    }
  }
  flat.unshift('Host', host);
}
