/**
 * Loaded into Node programs that `capture run` and `capture env` start, with
 * `NODE_OPTIONS=--require <this file>` (built as `dist/preload/node-proxy.cjs`). Node 20 reads no
 * proxy variables: without this, `fetch`, `http.get` and `https.get` would go straight to the
 * origin. It routes them through the proxy named by `HTTPS_PROXY`/`HTTP_PROXY` (credentials
 * included, which is how capture tags the program's exchanges), honouring `NO_PROXY`.
 *
 * It must never break the program it is loaded into: every failure leaves Node as it was.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

const INSTALLED = Symbol.for('capture.node-proxy');

/** The proxy from the environment, as the programs capture starts get it. */
function proxyFromEnv(secure: boolean): URL | undefined {
  const env = process.env;
  const value = secure ? (env.HTTPS_PROXY ?? env.https_proxy ?? env.HTTP_PROXY ?? env.http_proxy) : (env.HTTP_PROXY ?? env.http_proxy);
  if (!value) return undefined;
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

/** A `NO_PROXY` matcher: `*`, host names with their subdomains (`example.com`, `.example.com`), optional `:port`. */
function noProxyMatcher(): (host: string, port: number) => boolean {
  const entries = (process.env.NO_PROXY ?? process.env.no_proxy ?? '')
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((entry) => {
      const match = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\*?\./, '.'))!;
      return { host: match[1]!.replace(/^\[|\]$/g, '').toLowerCase(), port: match[2] ? Number(match[2]) : undefined };
    });
  return (host, port) => {
    const name = host.replace(/^\[|\]$/g, '').toLowerCase();
    return entries.some((entry) => {
      if (entry.port !== undefined && entry.port !== port) return false;
      if (entry.host === '*') return true;
      const bare = entry.host.replace(/^\./, '');
      return name === bare || name.endsWith(`.${bare}`);
    });
  };
}

function basicAuth(proxy: URL): string | undefined {
  if (!proxy.username) return undefined;
  return `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
}

function proxyPort(proxy: URL): number {
  return Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80));
}

/** What Node's agents pass around for one request (a subset of `http.RequestOptions`). */
interface AgentRequestOptions {
  host?: string | null;
  hostname?: string | null;
  port?: number | string | null;
  servername?: string;
  [key: string]: unknown;
}

function targetOf(options: AgentRequestOptions, defaultPort: number): { host: string; port: number } {
  return { host: String(options.hostname ?? options.host ?? 'localhost'), port: Number(options.port || defaultPort) };
}

function authority(host: string, port: number): string {
  return `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
}

/**
 * `http://` requests: sent to the proxy in absolute form (`GET http://host/path`), which is what an
 * HTTP proxy expects. The request's head is not written yet when the agent gets it, so its path
 * and headers can still change (global-agent does the same).
 */
class ProxyHttpAgent extends http.Agent {
  readonly #proxy: URL;
  readonly #bypass: (host: string, port: number) => boolean;

  constructor(proxy: URL, bypass: (host: string, port: number) => boolean) {
    super({ keepAlive: true });
    this.#proxy = proxy;
    this.#bypass = bypass;
  }

  addRequest(request: http.ClientRequest, options: AgentRequestOptions): void {
    const base = http.Agent.prototype as unknown as { addRequest(request: http.ClientRequest, options: AgentRequestOptions): void };
    const target = targetOf(options, 80);
    if (this.#bypass(target.host, target.port)) return base.addRequest.call(this, request, options);
    request.path = `http://${authority(target.host, target.port)}${request.path}`;
    const auth = basicAuth(this.#proxy);
    if (auth) request.setHeader('proxy-authorization', auth);
    const proxy = { host: this.#proxy.hostname, hostname: this.#proxy.hostname, port: proxyPort(this.#proxy) };
    base.addRequest.call(this, request, { ...options, ...proxy });
  }
}

type ConnectionCallback = (error: Error | null, socket?: Duplex) => void;

/**
 * `https://` requests: a CONNECT tunnel through the proxy, then TLS inside it with the request's
 * own TLS options (its `ca`, `servername`, `rejectUnauthorized`), so certificate checks are
 * exactly those of a direct connection. Node's agent accepts a connection given to a callback.
 */
class ProxyHttpsAgent extends https.Agent {
  readonly #proxy: URL;
  readonly #bypass: (host: string, port: number) => boolean;

  constructor(proxy: URL, bypass: (host: string, port: number) => boolean) {
    super({ keepAlive: true });
    this.#proxy = proxy;
    this.#bypass = bypass;
  }

  override createConnection(options: AgentRequestOptions, callback: ConnectionCallback): Duplex | undefined {
    const target = targetOf(options, 443);
    if (this.#bypass(target.host, target.port)) return tls.connect(options as tls.ConnectionOptions);
    const proxy = this.#proxy;
    const raw = proxy.protocol === 'https:' ? tls.connect({ host: proxy.hostname, port: proxyPort(proxy), servername: proxy.hostname }) : net.connect(proxyPort(proxy), proxy.hostname);
    const auth = basicAuth(proxy);
    const where = authority(target.host, target.port);
    raw.write(`CONNECT ${where} HTTP/1.1\r\nHost: ${where}\r\n${auth ? `Proxy-Authorization: ${auth}\r\n` : ''}\r\n`);
    let head = Buffer.alloc(0);
    const fail = (error: Error) => {
      raw.destroy();
      callback(error);
    };
    const onData = (chunk: Buffer) => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      raw.off('data', onData);
      raw.off('error', fail);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'))?.[1];
      if (status !== '200') return fail(new Error(`the proxy ${proxy.host} answered CONNECT ${where} with ${status ?? 'something that is not HTTP'}`));
      const rest = head.subarray(end + 4);
      if (rest.length) raw.unshift(rest);
      const servername = options.servername ?? (net.isIP(target.host) ? undefined : target.host);
      const secure = tls.connect({ ...(options as tls.ConnectionOptions), socket: raw, ...(servername ? { servername } : {}) });
      callback(null, secure);
    };
    raw.on('data', onData);
    raw.once('error', fail);
    return undefined;
  }
}

/** Makes `fetch` use the proxy: undici's global dispatcher, which Node's own fetch reads too. */
function routeFetch(): void {
  // The CLI's own undici (a pinned dependency next to this file), never the program's.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const undici = require('undici') as typeof import('undici');
  undici.setGlobalDispatcher(new undici.EnvHttpProxyAgent());
}

function install(): void {
  const store = globalThis as Record<symbol, unknown>;
  if (store[INSTALLED]) return;
  store[INSTALLED] = true;
  const bypass = noProxyMatcher();
  const httpProxy = proxyFromEnv(false);
  const httpsProxy = proxyFromEnv(true);
  if (httpProxy) http.globalAgent = new ProxyHttpAgent(httpProxy, bypass);
  if (httpsProxy) https.globalAgent = new ProxyHttpsAgent(httpsProxy, bypass);
  if (httpProxy || httpsProxy) routeFetch();
}

try {
  install();
} catch (error) {
  // A broken preload must not take the user's program down with it: say so once and go on.
  process.emitWarning(`capture: could not route this program through the proxy (${(error as Error).message})`);
}
