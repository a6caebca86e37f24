import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import { CaptureError } from '@capture/core';
import { readAssets, type Asset } from './assets.js';
import type { EventHub } from './event-hub.js';
import { parseQuery, queryMatcher } from './search.js';
import { DEFAULT_LIST_LIMIT, MAX_LIST_LIMIT, type ListCursor, type ViewApi } from './view-api.js';

/** Largest JSON body the API accepts (a list of ids for an export of the whole list). */
const MAX_BODY = 8 * 1024 * 1024;

/** Headers on every answer: nothing is cached, framed, sniffed, or leaks the token in a Referer. */
const SECURITY_HEADERS: Record<string, string> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Content-Security-Policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
};

/** What the server needs. */
export interface WebServerOptions {
  host: string;
  port: number;
  /** True when the port was chosen by the user: a taken port is then an error rather than a fallback to a free one. */
  portChosen: boolean;
  checkToken: (candidate: string | undefined) => boolean;
  api: ViewApi;
  hub: EventHub;
}

/**
 * The web view's HTTP server (node:http): the page, its assets and a small JSON API, each request
 * checked for the Host it names (DNS rebinding) and the access token (query, cookie or bearer).
 */
export class WebServer {
  readonly #options: WebServerOptions;
  readonly #server: http.Server;
  readonly #assets: Map<string, Asset>;
  #port = 0;

  constructor(options: WebServerOptions) {
    this.#options = options;
    this.#assets = readAssets();
    this.#server = http.createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => this.#fail(res, error));
    });
    // The view uses no upgrades (events are server-sent): an upgrade, e.g. a WebSocket the proxy
    // forwarded for a device, gets nothing.
    this.#server.on('upgrade', (_req: IncomingMessage, socket: net.Socket) => {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
  }

  /** The port bound. */
  get port(): number {
    return this.#port;
  }

  /** Listens; a taken default port falls back to a free one, a taken chosen port is an error naming the option. */
  async listen(): Promise<number> {
    const { host, port, portChosen } = this.#options;
    try {
      this.#port = await this.#bind(host, port);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || portChosen || port === 0) {
        const reason = (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? 'it is already in use (choose another with --web-port or webPort)' : (error as Error).message;
        throw new CaptureError('WEB_LISTEN_FAILED', `cannot listen on ${host}:${port}: ${reason}`, { cause: error });
      }
      this.#port = await this.#bind(host, 0);
    }
    return this.#port;
  }

  /** Stops listening and closes every connection, event streams included. */
  async close(): Promise<void> {
    this.#options.hub.close();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  #bind(host: string, port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.#server.once('error', onError);
      this.#server.listen(port, host, () => {
        this.#server.off('error', onError);
        resolve((this.#server.address() as AddressInfo).port);
      });
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    const url = new URL(req.url ?? '/', 'http://view.invalid');
    if (!this.#hostAllowed(req.headers.host)) return this.#text(res, 403, 'capture web view: unexpected Host header (open it by IP address or localhost)');
    const method = req.method ?? 'GET';
    // The page and its script are the same bytes for everyone and hold no data: they load without
    // the token, which the page takes from the address `capture start` printed and keeps to itself.
    // A wrong token in that address is still refused, so a mistyped one says so.
    const asset = method === 'GET' || method === 'HEAD' ? this.#assets.get(url.pathname === '/' ? '/index.html' : url.pathname) : undefined;
    const fromAddress = url.searchParams.get('token') ?? undefined;
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
    // Only a bearer header opens the API: never a cookie, which every port of 127.0.0.1 receives.
    const authorised = bearer !== undefined && this.#options.checkToken(bearer);
    if (asset && (fromAddress === undefined || this.#options.checkToken(fromAddress))) return this.#send(res, 200, asset.type, asset.body, method === 'HEAD');
    if (!authorised) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="capture web view"');
      return this.#text(res, 401, 'capture web view: open the address "capture start" printed, with its ?token=…');
    }
    if (method === 'POST' && !this.#sameOrigin(req)) return this.#text(res, 403, 'capture web view: cross-origin request refused');
    await this.#route(method, url, req, res);
  }

  async #route(method: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { api, hub } = this.#options;
    const path = url.pathname;
    if (method === 'GET' || method === 'HEAD') {
      const asset = this.#assets.get(path === '/' ? '/index.html' : path);
      if (asset) return this.#send(res, 200, asset.type, asset.body, method === 'HEAD');
      if (path === '/api/exchanges') {
        const limit = Math.min(MAX_LIST_LIMIT, Math.max(1, Number(url.searchParams.get('limit')) || DEFAULT_LIST_LIMIT));
        const before = listCursor(url.searchParams.get('before'));
        if (before === null) return this.#json(res, 400, { error: 'before expects <startedAt>:<id> of a listed exchange, e.g. 1733130000000:h42' });
        return this.#json(res, 200, await api.list(url.searchParams.get('q'), limit, before));
      }
      const detail = /^\/api\/exchanges\/([hx]\d+)$/.exec(path);
      if (detail) {
        const found = await api.detail(detail[1]!);
        return found ? this.#json(res, 200, found) : this.#json(res, 404, { error: `exchange ${detail[1]} is no longer available` });
      }
      const operation = /^\/api\/exchanges\/([hx]\d+)\/openapi$/.exec(path);
      if (operation) return this.#json(res, 200, await api.operation(operation[1]!, url.searchParams.get('q')));
      const curl = /^\/api\/exchanges\/([hx]\d+)\/curl$/.exec(path);
      if (curl) return this.#send(res, 200, 'text/plain; charset=utf-8', `${await api.curl(curl[1]!)}\n`);
      if (path === '/api/settings') return this.#json(res, 200, api.settings());
      if (path === '/api/events') {
        const matches = queryMatcher(parseQuery(url.searchParams.get('q')));
        return hub.open(res, matches, { paused: { paused: api.settings().paused } });
      }
    }
    if (method === 'POST') {
      const body = await readJson(req);
      if (path === '/api/export') {
        const format = body.format;
        if (format !== 'har' && format !== 'postman' && format !== 'openapi') throw new CaptureError('BAD_REQUEST', `"format" must be "har", "postman" or "openapi", got ${JSON.stringify(format)}`);
        const as = body.as ?? 'yaml';
        if (as !== 'yaml' && as !== 'json') throw new CaptureError('BAD_REQUEST', `"as" must be "yaml" or "json", got ${JSON.stringify(as)}`);
        const download = await api.export(format, idsOf(body), typeof body.name === 'string' && body.name.trim() ? body.name.trim() : undefined, as);
        res.setHeader('Content-Disposition', `attachment; filename="${download.filename}"`);
        res.setHeader('X-Exchange-Count', String(download.count));
        res.setHeader('X-Exchange-Skipped', String(download.skipped));
        return this.#send(res, 200, download.contentType, download.body);
      }
      if (path === '/api/collections') {
        if (typeof body.name !== 'string' || !body.name.trim()) throw new CaptureError('BAD_REQUEST', '"name" must name the collection');
        return this.#json(res, 200, await api.saveToCollection(body.name.trim(), idsOf(body)));
      }
      if (path === '/api/clear') {
        // The page asks the user first; the API asks for the word too, so nothing clears by accident.
        if (body.confirm !== true) throw new CaptureError('BAD_REQUEST', 'clearing history needs {"confirm": true}');
        return this.#json(res, 200, await api.clear());
      }
      if (path === '/api/capture') {
        if (typeof body.paused !== 'boolean') throw new CaptureError('BAD_REQUEST', '"paused" must be true or false');
        return this.#json(res, 200, api.setPaused(body.paused));
      }
    }
    return this.#json(res, 404, { error: `no ${method} ${path}` });
  }

  /** IP literals, localhost and this machine's name: a page of another site reaching the view through DNS rebinding names its own host. */
  #hostAllowed(host: string | undefined): boolean {
    if (!host) return true;
    const name = (host.startsWith('[') ? host.slice(1, host.indexOf(']')) : host.replace(/:\d+$/, '')).toLowerCase();
    if (net.isIP(name)) return true;
    const machine = os.hostname().toLowerCase();
    return name === 'localhost' || name.endsWith('.localhost') || name === machine || name === `${machine}.local` || name === this.#options.host.toLowerCase();
  }

  /** A POST from the page itself: its Origin (sent by browsers on POST) names this view's Host. */
  #sameOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  }

  #fail(res: ServerResponse, error: unknown): void {
    if (res.headersSent) return void res.destroy();
    const code = error instanceof CaptureError ? error.code : undefined;
    const status = code === 'BAD_REQUEST' ? 400 : code === 'NOT_FOUND' ? 404 : code === 'UNAVAILABLE' ? 409 : code === 'TOO_LARGE' ? 413 : 500;
    this.#json(res, status, { error: error instanceof Error ? error.message : String(error) });
  }

  #json(res: ServerResponse, status: number, value: unknown): void {
    this.#send(res, status, 'application/json; charset=utf-8', JSON.stringify(value));
  }

  #text(res: ServerResponse, status: number, text: string): void {
    this.#send(res, status, 'text/plain; charset=utf-8', `${text}\n`);
  }

  #send(res: ServerResponse, status: number, type: string, body: string | Buffer, headOnly = false): void {
    const bytes = typeof body === 'string' ? Buffer.from(body) : body;
    res.writeHead(status, { 'Content-Type': type, 'Content-Length': bytes.length });
    res.end(headOnly ? undefined : bytes);
  }
}


async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!/^application\/json\b/i.test(req.headers['content-type'] ?? '')) {
    // A JSON content type cannot be sent by a plain cross-site form: one more guard for the API.
    throw new CaptureError('BAD_REQUEST', 'send JSON (Content-Type: application/json)');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new CaptureError('TOO_LARGE', `request body over ${MAX_BODY} bytes`);
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new CaptureError('BAD_REQUEST', 'the body must be a JSON object');
}

function idsOf(body: Record<string, unknown>): string[] {
  const ids = body.ids;
  if (!Array.isArray(ids) || !ids.length || !ids.every((id) => typeof id === 'string' && /^[hx]\d+$/.test(id))) {
    throw new CaptureError('BAD_REQUEST', '"ids" must list exchange ids such as "h12" or "x40"');
  }
  return ids as string[];
}

/** `before=<startedAt>[:<view id>]` (the next page of the list): undefined when absent, null when malformed. */
function listCursor(value: string | null): ListCursor | undefined | null {
  if (value === null || value === '') return undefined;
  const match = /^(\d+)(?::([hx]\d+))?$/.exec(value);
  if (!match) return null;
  return { startedAt: Number(match[1]), ...(match[2] ? { id: match[2] } : {}) };
}
