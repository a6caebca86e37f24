import dns from 'node:dns';
import net from 'node:net';
import os from 'node:os';
import { authorityPort, stripBrackets } from '@capture/core';
import { ViewPortRegistry } from './view-registry.js';

/**
 * Knows the web view's address and every name that reaches it from this machine, so the proxy
 * can refuse to carry requests to it: a device using the proxy must never reach the view or its
 * API (mitmproxy's CVE-2025-23217 was mitmweb's API reachable through the proxy).
 */
export class ViewGuard {
  #port: number | undefined;
  readonly #addresses = new Set<string>();
  readonly #otherPorts: () => ReadonlySet<number>;
  readonly #registry: ViewPortRegistry | undefined;

  /** `otherPorts`: the ports other captures' web views listen on (default: the registry in the temporary folder). */
  constructor(otherPorts?: () => ReadonlySet<number>) {
    if (otherPorts) this.#otherPorts = otherPorts;
    else {
      const registry = new ViewPortRegistry();
      this.#registry = registry;
      this.#otherPorts = () => registry.ports();
    }
  }

  /** Stops watching the registry of other views (the proxy is closing). */
  close(): void {
    this.#registry?.close();
  }

  /** True for the port of this view or of any other capture's view running for this user. */
  #isViewPort(port: number): boolean {
    return port === this.#port || this.#otherPorts().has(port);
  }

  /** Sets the address the view is bound to; until then nothing matches. */
  bind(host: string, port: number): void {
    this.#port = port;
    this.#addresses.clear();
    for (const address of ['127.0.0.1', '::1', '0.0.0.0', '::', host]) this.#addresses.add(normalizeIp(address) ?? address.toLowerCase());
    // Bound to every interface, the view is reached at each of the machine's addresses.
    if (host === '0.0.0.0' || host === '::') {
      for (const addresses of Object.values(os.networkInterfaces())) {
        for (const { address } of addresses ?? []) this.#addresses.add(normalizeIp(address) ?? address.toLowerCase());
      }
    }
  }

  /** True when `hostname` is a literal alias of the view (an address of it, `localhost`, this machine's name), on its port. */
  isViewLiteral(hostname: string, port: number): boolean {
    if (!this.#isViewPort(port)) return false;
    const name = normalizeName(hostname);
    const ip = normalizeIp(name);
    if (ip !== undefined) return this.#isViewIp(ip);
    return name === 'localhost' || name.endsWith('.localhost') || name === os.hostname().toLowerCase() || name === `${os.hostname().toLowerCase()}.local`;
  }

  /**
   * True when a request for `hostname:port` may reach a web view (this one, or another
   * capture's): a literal alias, or a name that resolves to one of its addresses (looked up only
   * on a view's port, so other traffic pays nothing). Fails closed: on a view's port, a name that
   * cannot be checked (the lookup fails or times out) counts as the view, since it may resolve to
   * it by the time the proxy connects.
   */
  async isView(hostname: string, port: number): Promise<boolean> {
    if (!this.#isViewPort(port)) return false;
    if (this.isViewLiteral(hostname, port)) return true;
    const name = normalizeName(hostname);
    if (normalizeIp(name) !== undefined) return false;
    try {
      // Through the module object, read at call time (tests stand in a resolver that rebinds).
      const resolved = await dns.promises.lookup(name, { all: true, verbatim: true });
      return resolved.length === 0 || resolved.some(({ address }) => this.#isViewIp(normalizeIp(address) ?? address));
    } catch {
      return true;
    }
  }

  /**
   * True when a connection to the IP `address` on `port` would reach a web view: what capture's
   * `onUpstreamAddress` hook asks with the address it really connects to, so a name that resolved
   * elsewhere when {@link ViewGuard.isView} looked it up (DNS rebinding) is still refused.
   */
  isViewAddress(address: string, port: number): boolean {
    if (!this.#isViewPort(port)) return false;
    const ip = normalizeIp(address);
    return ip === undefined || this.#isViewIp(ip);
  }

  /**
   * False when `url` cannot reach any web view because its port is no view's: the answer for
   * nearly every proxied request, given without a URL parse, a lookup or a promise. True means
   * "ask {@link ViewGuard.isViewUrl}".
   */
  mayBeViewUrl(url: string): boolean {
    const port = authorityPort(url);
    return Number.isNaN(port) || this.#isViewPort(port);
  }

  /** True for a URL (`http://host:port/…`) the view would answer. */
  async isViewUrl(url: string): Promise<boolean> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' || parsed.protocol === 'wss:' ? 443 : 80;
    return this.isView(parsed.hostname, port);
  }

  #isViewIp(ip: string): boolean {
    // Any loopback address: 127.0.0.2 does not reach a socket bound to 127.0.0.1 on every OS, but refusing it costs nothing.
    if (this.#addresses.has(ip) || ip.startsWith('127.') || ip === '::1') return true;
    // Another capture's view may be bound to any of this machine's addresses.
    return localAddresses().has(ip);
  }
}

/** This machine's interface addresses, canonical, plus the unspecified ones. */
function localAddresses(): Set<string> {
  const addresses = new Set(['0.0.0.0', '::']);
  for (const list of Object.values(os.networkInterfaces())) for (const { address } of list ?? []) addresses.add(normalizeIp(address) ?? address.toLowerCase());
  return addresses;
}

/** Lower case, no brackets, no trailing dot; IPv4 written any way URLs allow (`0x7f.1`, `2130706433`) made canonical. */
function normalizeName(hostname: string): string {
  let name = stripBrackets(hostname.trim().toLowerCase());
  if (name.endsWith('.')) name = name.slice(0, -1);
  if (net.isIP(name)) return name;
  try {
    // The WHATWG URL parser canonicalises the IPv4 spellings a client may use to dodge a literal check.
    const canonical = new URL(`http://${name}/`).hostname;
    return stripBrackets(canonical);
  } catch {
    return name;
  }
}

/** An IP address in canonical form (IPv4-mapped IPv6 as IPv4), or undefined when it is not an address. */
function normalizeIp(value: string): string | undefined {
  const text = value.toLowerCase().replace(/%.*$/, '');
  const kind = net.isIP(text);
  if (kind === 4) return text;
  if (kind !== 6) return undefined;
  let canonical = text;
  try {
    // Canonical IPv6 text (zeros compressed, an embedded IPv4 in hex), as the URL parser writes it.
    canonical = new URL(`http://[${text}]/`).hostname.slice(1, -1);
  } catch {
    // net.isIP accepted it; keep it as written.
  }
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return canonical;
  const high = parseInt(mapped[1]!, 16);
  const low = parseInt(mapped[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}
