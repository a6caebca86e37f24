import ipaddr from 'ipaddr.js';
import { stripBrackets } from './host-pattern.js';

/** Decides which hosts are reached directly, bypassing the upstream proxy. */
export type NoProxyMatcher = (hostname: string, port: number) => boolean;

/**
 * Reads a `NO_PROXY` list as curl, Go and most tools do: entries separated by commas or spaces;
 * `*` alone matches every host; `example.com`, `.example.com` and `*.example.com` match the
 * domain and its subdomains; an IP address matches itself and `10.0.0.0/8` a range; an entry
 * with `:port` matches that port only. Case does not matter; IPv6 may be written in brackets.
 */
export function compileNoProxy(entries: readonly string[]): NoProxyMatcher {
  const rules: Array<(hostname: string, port: number) => boolean> = [];
  for (const raw of entries.flatMap((entry) => entry.split(/[\s,]+/))) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return () => true;
    let host = entry;
    let port: number | undefined;
    const withPort = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(entry);
    if (withPort) {
      host = withPort[1]!;
      port = Number(withPort[2]);
    }
    host = stripBrackets(host);
    const samePort = (p: number) => port === undefined || port === p;
    if (host.includes('/')) {
      try {
        const range = ipaddr.parseCIDR(host);
        rules.push((hostname, p) => samePort(p) && ipaddr.isValid(hostname) && inRange(hostname, range));
        continue;
      } catch {
        // Not a CIDR range: read it as a name (it will simply never match).
      }
    }
    const domain = host.replace(/^\*?\./, '');
    rules.push((hostname, p) => samePort(p) && (hostname === domain || hostname.endsWith(`.${domain}`)));
  }
  return (hostname, port) => {
    const name = stripBrackets(hostname.toLowerCase()).replace(/\.$/, '');
    return rules.some((rule) => rule(name, port));
  };
}

function inRange(address: string, range: [ipaddr.IPv4 | ipaddr.IPv6, number]): boolean {
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  return parsed.kind() === range[0].kind() && parsed.match(range);
}
