import { CaptureError } from './errors.js';
import { formatAuthority, stripBrackets } from './host-pattern.js';
import { compileNoProxy, type NoProxyMatcher } from './no-proxy.js';

/** The schemes an upstream proxy may have. */
export type UpstreamProxyProtocol = 'http' | 'https' | 'socks5' | 'socks5h';

/** An upstream proxy capture forwards through, parsed from its URL. */
export interface UpstreamProxy {
  protocol: UpstreamProxyProtocol;
  hostname: string;
  port: number;
  /** Decoded from the URL's `user:pass@`; empty when none. Never logged, never captured. */
  username: string;
  password: string;
  /** The URL as shown to people: scheme, host and port, never the credentials. */
  display: string;
}

const DEFAULT_PORTS: Record<UpstreamProxyProtocol, number> = { http: 80, https: 443, socks5: 1080, socks5h: 1080 };

/**
 * Parses an upstream proxy URL (`http://user:pass@corp:3128`, `socks5h://127.0.0.1:1080`).
 * `where` names the setting in the error (`option "upstreamProxy"`, `HTTPS_PROXY`), which never
 * repeats the URL: it may hold a password.
 */
export function parseUpstreamProxy(value: string, where: string): UpstreamProxy {
  let url: URL;
  try {
    // `corp:3128` alone is an HTTP proxy, as curl reads it.
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    throw new CaptureError('CONFIG_INVALID', `${where}: expected a proxy URL such as http://host:3128 or socks5://host:1080`);
  }
  const protocol = url.protocol.slice(0, -1) as UpstreamProxyProtocol;
  if (!(protocol in DEFAULT_PORTS)) {
    throw new CaptureError('CONFIG_INVALID', `${where}: the scheme "${protocol}:" is not supported; expected http, https, socks5 or socks5h`);
  }
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) {
    throw new CaptureError('CONFIG_INVALID', `${where}: a proxy URL has no path or query (${formatAuthority(stripBrackets(url.hostname), Number(url.port) || DEFAULT_PORTS[protocol])})`);
  }
  const hostname = stripBrackets(url.hostname);
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[protocol];
  return {
    protocol,
    hostname,
    port,
    username: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
    display: `${protocol}://${formatAuthority(hostname, port)}`,
  };
}

/** Where a connection to one target goes: an upstream proxy, or undefined for direct. */
export type UpstreamRoute = UpstreamProxy | undefined;

/**
 * Decides, per target, whether capture reaches it through the upstream proxy (config
 * `upstreamProxy`, or `'env'` for `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY`/`NO_PROXY` from
 * capture's own environment) or directly (`noProxy`).
 */
export class UpstreamRoutes {
  readonly #secure: UpstreamProxy | undefined;
  readonly #plain: UpstreamProxy | undefined;
  readonly #bypass: NoProxyMatcher;
  /** How the routes read for people, e.g. `via upstream proxy http://corp:3128`; undefined when direct. */
  readonly description: string | undefined;

  constructor(upstreamProxy: string | undefined, noProxy: readonly string[], env: NodeJS.ProcessEnv = process.env) {
    const bypass = [...noProxy];
    if (upstreamProxy === 'env') {
      const read = (name: string) => env[name] ?? env[name.toLowerCase()];
      const all = read('ALL_PROXY');
      const secure = read('HTTPS_PROXY') ?? all;
      const plain = read('HTTP_PROXY') ?? all;
      this.#secure = secure ? parseUpstreamProxy(secure, read('HTTPS_PROXY') ? 'HTTPS_PROXY' : 'ALL_PROXY') : undefined;
      this.#plain = plain ? parseUpstreamProxy(plain, read('HTTP_PROXY') ? 'HTTP_PROXY' : 'ALL_PROXY') : undefined;
      const fromEnv = read('NO_PROXY');
      if (fromEnv) bypass.push(fromEnv);
    } else if (upstreamProxy) {
      this.#secure = this.#plain = parseUpstreamProxy(upstreamProxy, 'option "upstreamProxy"');
    }
    this.#bypass = compileNoProxy(bypass);
    const shown = [...new Set([this.#plain?.display, this.#secure?.display].filter(Boolean))];
    if (shown.length === 0) this.description = undefined;
    else if (this.#plain?.display === this.#secure?.display) this.description = `via upstream proxy ${shown[0]}`;
    else {
      const parts = [this.#plain ? `${this.#plain.display} for http` : '', this.#secure ? `${this.#secure.display} for https` : ''].filter(Boolean);
      this.description = `via upstream proxy ${parts.join(', ')}`;
    }
  }

  /** True when no target goes through an upstream proxy. */
  get direct(): boolean {
    return !this.#secure && !this.#plain;
  }

  /**
   * The upstream proxy for `hostname:port`, or undefined to connect directly. `secure`: the
   * connection carries TLS or is a tunnel (`https://`, `wss://`, CONNECT), which `HTTPS_PROXY`
   * serves; plain `http://` and `ws://` go by `HTTP_PROXY`.
   */
  for(hostname: string, port: number, secure: boolean): UpstreamRoute {
    const proxy = secure ? this.#secure : this.#plain;
    if (!proxy || this.#bypass(hostname, port)) return undefined;
    return proxy;
  }
}
