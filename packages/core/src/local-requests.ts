import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import { stripBrackets } from './host-pattern.js';
import { hasTaps, type ListenInfo, type ProxyHooks } from './hooks.js';
import { writeInfoPage } from './local-page.js';

/** What a device sees when a plugin failed on a request to the proxy itself (the detail goes to `onError`). */
const LOCAL_FAILED_BODY = 'capture: a plugin failed while answering this request\n';

/**
 * Requests addressed to the proxy itself rather than to be forwarded: it knows the names the
 * proxy answers to, offers such requests to `onLocalRequest` taps (the CA download) and serves
 * the information page otherwise.
 */
export class LocalRequests {
  readonly #hooks: ProxyHooks;
  readonly #version: string;
  readonly #report: (error: unknown) => void;
  readonly #ownHostnames = new Set<string>();
  #listenInfo: ListenInfo | undefined;

  constructor(hooks: ProxyHooks, version: string, report: (error: unknown) => void) {
    this.#hooks = hooks;
    this.#version = version;
    this.#report = report;
  }

  /** Learns where the proxy listens and every name that reaches it (all interfaces' addresses for `0.0.0.0`). */
  listening(info: ListenInfo): void {
    this.#listenInfo = info;
    const names = this.#ownHostnames;
    const host = info.host.toLowerCase();
    for (const name of ['localhost', '127.0.0.1', '::1', os.hostname().toLowerCase(), host]) names.add(name);
    if (host === '0.0.0.0' || host === '::') {
      names.add('0.0.0.0');
      for (const addresses of Object.values(os.networkInterfaces())) {
        for (const address of addresses ?? []) names.add(address.address.toLowerCase());
      }
    }
  }

  /** True when an absolute URL names the proxy itself (its port and one of its names). */
  isOwnAddress(absoluteUrl: string): boolean {
    if (!this.#listenInfo) return false;
    // Every proxied request asks: most name another port, which is read without a URL parse.
    if (authorityPort(absoluteUrl) !== this.#listenInfo.port) return false;
    let parsed: URL;
    try {
      parsed = new URL(absoluteUrl);
    } catch {
      return false;
    }
    const port = parsed.port ? Number(parsed.port) : parsed.protocol === 'https:' ? 443 : 80;
    if (port !== this.#listenInfo.port) return false;
    return this.#ownHostnames.has(stripBrackets(parsed.hostname).toLowerCase());
  }

  /** Answers a request to the proxy itself: an `onLocalRequest` tap, else the info page at `/`, else 404. */
  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    const path = (req.url ?? '/').replace(/^https?:\/\/[^/]*/, '') || '/';
    const url = new URL(path, this.#listenInfo?.url ?? 'http://127.0.0.1');
    try {
      if (hasTaps(this.#hooks.onLocalRequest) && (await this.#hooks.onLocalRequest.promise({ request: req, response: res, url }))) return;
    } catch (error) {
      this.#report(error);
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(LOCAL_FAILED_BODY);
      return;
    }
    if (url.pathname !== '/') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(`capture: nothing at ${url.pathname} on the proxy itself; this proxy forwards absolute URLs (http://host/path)\n`);
      return;
    }
    writeInfoPage(res, {
      version: this.#version,
      address: `${req.headers.host ?? this.#listenInfo?.url ?? ''}`,
      links: this.#hooks.onInfoPage.call([]),
      wantsHtml: (req.headers.accept ?? '').includes('text/html'),
      head: req.method === 'HEAD',
    });
  }
}

/**
 * The port of an absolute `http(s)://` URL's authority as WHATWG URL parsing reads it (the
 * scheme's default when none is given; NaN when it is not a number, which URL would reject),
 * read with string scans only. Only used to rule a URL out: a match is checked by a real parse.
 */
export function authorityPort(absoluteUrl: string): number {
  const start = absoluteUrl.indexOf('://') + 3;
  let end = start;
  while (end < absoluteUrl.length) {
    const char = absoluteUrl.charCodeAt(end);
    // '/', '\\' (a slash for special schemes), '?', '#' end the authority.
    if (char === 0x2f || char === 0x5c || char === 0x3f || char === 0x23) break;
    end++;
  }
  const hostStart = absoluteUrl.lastIndexOf('@', end - 1) + 1;
  const host = absoluteUrl.slice(Math.max(start, hostStart), end);
  const colon = host.lastIndexOf(':');
  const portText = colon > host.lastIndexOf(']') ? host.slice(colon + 1) : '';
  if (portText === '') return absoluteUrl.charCodeAt(4) === 0x73 || absoluteUrl.charCodeAt(4) === 0x53 ? 443 : 80;
  return /^\d+$/.test(portText) ? Number(portText) : Number.NaN;
}
