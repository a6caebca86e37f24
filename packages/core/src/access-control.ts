import ipaddr from 'ipaddr.js';

/** Address ranges a local capture proxy serves by default: this machine and private networks. */
const LOCAL_RANGES = new Set(['loopback', 'private', 'linkLocal', 'uniqueLocal', 'carrierGradeNat', 'unspecified']);

/**
 * True when a client at `address` may use the proxy without `allowPublicClients`:
 * loopback, private (RFC 1918), carrier-grade NAT, link-local or unique-local addresses.
 * A proxy open to the internet gets abused within hours, so public addresses are refused
 * by default, as mitmproxy's `block_global` does.
 */
export function isLocalNetworkAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
  }
  return LOCAL_RANGES.has(parsed.range());
}

/** Strips the `::ffff:` prefix Node gives IPv4 clients of a dual-stack socket. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}
