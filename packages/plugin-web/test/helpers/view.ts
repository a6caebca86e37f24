import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { CaptureConfig, CapturePlugin } from '@capture/core';
import { startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history from '@capture/plugin-history';
import web, { type WebApi, type WebOptions } from '../../src/index.js';

/** A PNG's first bytes: enough for the view to show it as an image. */
export const PNG = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5c2f7c30000000049454e44ae426082', 'hex');

/** The origin the tests send traffic to: JSON, users (`/users/<n>`), XML, a form echo, an image, a 404. */
export function startTestOrigin(): Promise<TestOrigin> {
  return startOrigin((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = req.url ?? '/';
      if (url.startsWith('/json')) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ user: { name: 'ann', roles: ['admin', 'dev'] }, path: url }));
      }
      const user = /^\/users\/(\d+)$/.exec(url);
      if (user) {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ id: Number(user[1]), name: `user ${user[1]}`, active: true }));
      }
      if (url.startsWith('/xml')) {
        res.writeHead(200, { 'Content-Type': 'application/xml' });
        return res.end('<?xml version="1.0"?><order><id>7</id><items><item sku="a">pen</item></items></order>');
      }
      if (url.startsWith('/image')) {
        res.writeHead(200, { 'Content-Type': 'image/png' });
        return res.end(PNG);
      }
      if (url.startsWith('/missing')) {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        return res.end('no such thing');
      }
      res.writeHead(200, { 'Content-Type': req.headers['content-type'] ?? 'text/plain' });
      res.end(Buffer.concat(chunks).length ? Buffer.concat(chunks) : `hello from ${url}`);
    });
  });
}

/** A proxy with plugins and the web view on a free port, plus how to reach the view. */
export interface ViewSetup {
  proxy: TestProxy;
  dataDir: string;
  web: CapturePlugin<WebApi>;
  /** The view's base URL, `http://127.0.0.1:PORT`. */
  base: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Starts a proxy with `plugins` (history by default) and the web view; `close()` stops both and removes the data folder. */
export async function startView(options: { plugins?: CapturePlugin[]; web?: WebOptions; config?: CaptureConfig } = {}): Promise<ViewSetup> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'capture-web-'));
  const view = web({ webPort: 0, ...options.web });
  const proxy = await startProxy({ ...options.config, dataDir, plugins: [...(options.plugins ?? [history({ flushInterval: 10 })]), view] });
  const url = new URL(view.api!.url!);
  return {
    proxy,
    dataDir,
    web: view,
    base: url.origin,
    port: Number(url.port),
    token: url.searchParams.get('token')!,
    close: async () => {
      await proxy.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A response from the view. */
export interface ViewResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json<T = unknown>(): T;
}

/** Requests the view directly (not through the proxy). */
export function viewRequest(base: string, pathname: string, options: { method?: string; headers?: http.OutgoingHttpHeaders; body?: unknown } = {}): Promise<ViewResponse> {
  const body = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${pathname}`, {
      method: options.method ?? (body === undefined ? 'GET' : 'POST'),
      headers: { ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}), ...options.headers },
      agent: false,
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: <T>() => JSON.parse(text) as T });
      });
    });
    req.end(body);
  });
}

/** An authorised request: the token as a bearer header. */
export function api(setup: ViewSetup, pathname: string, options: { method?: string; body?: unknown; headers?: http.OutgoingHttpHeaders } = {}): Promise<ViewResponse> {
  return viewRequest(setup.base, pathname, { ...options, headers: { Authorization: `Bearer ${setup.token}`, ...options.headers } });
}

/** An open server-sent event stream from the view, collecting events. */
export interface EventStream {
  events: Array<{ type: string; data: unknown }>;
  /** Resolves with the first event (already received or coming) for which `match` is true. */
  next(match: (event: { type: string; data: unknown }) => boolean): Promise<{ type: string; data: unknown }>;
  close(): void;
}

/** Opens `/api/events` (with a search) and parses the stream as it comes. */
export function openEvents(setup: ViewSetup, query = ''): Promise<EventStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${setup.base}/api/events?q=${encodeURIComponent(query)}`, { headers: { Authorization: `Bearer ${setup.token}` }, agent: false });
    req.on('error', reject);
    req.on('response', (res) => {
      if (res.statusCode !== 200) return reject(new Error(`events: ${res.statusCode}`));
      const events: EventStream['events'] = [];
      const waiters: Array<() => void> = [];
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const type = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (type && data !== undefined) events.push({ type, data: JSON.parse(data) as unknown });
        }
        for (const wake of waiters.splice(0)) wake();
      });
      resolve({
        events,
        next: (match) =>
          new Promise((found, fail) => {
            const check = () => {
              const event = events.find(match);
              if (event) return found(event);
              if (res.destroyed || res.readableEnded) return fail(new Error('event stream ended'));
              waiters.push(check);
            };
            check();
          }),
        close: () => req.destroy(),
      });
    });
  });
}
