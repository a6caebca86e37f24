import { writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Stage, type CapturePlugin, type HeaderList } from '@capture/core';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history, { type HistoryApi, type HistoryOptions } from '../src/index.js';
import { HistoryStore } from '../src/store.js';
import { openHistoryDatabase } from '../src/database.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

let proxies: TestProxy[] = [];
let origins: TestOrigin[] = [];
afterEach(async () => {
  await Promise.all(proxies.splice(0).map((proxy) => proxy.close()));
  await Promise.all(origins.splice(0).map((origin) => origin.close()));
  cleanupAll();
});

async function setup(options: HistoryOptions = {}, extra: { dataDir?: string; maxBodySize?: number; plugins?: CapturePlugin[] } = {}) {
  const dataDir = extra.dataDir ?? tempDir();
  const origin = await startOrigin((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.url?.startsWith('/image')) {
        res.writeHead(200, { 'Content-Type': 'image/png' });
        return res.end(Buffer.alloc(3000, 7));
      }
      if (req.url?.startsWith('/big')) {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        return res.end('r'.repeat(5000));
      }
      res.writeHead(201, 'Made', [['Content-Type', 'application/json'], ['X-Second', 'b'], ['X-First', 'a']]);
      res.end(JSON.stringify({ got: Buffer.concat(chunks).toString() }));
    });
  });
  origins.push(origin);
  const plugin = history(options);
  const proxy = await startProxy({ dataDir, plugins: [...(extra.plugins ?? []), plugin], ...(extra.maxBodySize !== undefined ? { maxBodySize: extra.maxBodySize } : {}) });
  proxies.push(proxy);
  return { dataDir, origin, proxy, api: plugin.api!, file: path.join(dataDir, 'history.db') };
}

/** Reads every row through a separate connection, as another process would. */
function readRows(file: string): Array<Record<string, unknown>> {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT * FROM exchanges ORDER BY id').all() as Array<Record<string, unknown>>;
  } catch {
    return [];
  } finally {
    db.close();
  }
}

describe('history capture', () => {
  it('saves the request and its response, durable within one second, without being asked to flush', async () => {
    const { origin, proxy, file } = await setup();
    const sent = Date.now();
    const response = await requestThroughProxy(proxy.port, `${origin.url}/api/items?x=1`, {
      method: 'POST',
      headers: ['Content-Type', 'application/json', 'X-Zeta', '1', 'X-Alpha', '2'],
      body: '{"name":"pen"}',
    });
    expect(response.status).toBe(201);
    // Another connection (another process, a crash right now) sees it within a second.
    await vi.waitFor(() => expect(readRows(file)).toHaveLength(1), { timeout: 1000, interval: 20 });
    expect(Date.now() - sent).toBeLessThan(1500);
    const [row] = readRows(file);
    expect(row).toMatchObject({
      method: 'POST',
      url: `${origin.url}/api/items?x=1`,
      host: `127.0.0.1:${origin.port}`,
      http_version: '1.1',
      request_body_size: 14,
      request_body_truncated: 0,
      client_address: '127.0.0.1',
      status: 201,
      status_message: 'Made',
    });
    const requestHeaders = JSON.parse(row!.request_headers as string) as HeaderList;
    expect(requestHeaders.map(([name]) => name).filter((name) => name.startsWith('X-'))).toEqual(['X-Zeta', 'X-Alpha']);
    expect(JSON.parse(row!.response_headers as string)).toEqual(expect.arrayContaining([['X-Second', 'b'], ['X-First', 'a']]));
    expect((row!.request_body as Buffer).toString()).toBe('{"name":"pen"}');
    expect(JSON.parse((row!.response_body as Buffer).toString())).toEqual({ got: '{"name":"pen"}' });
    expect(row!.started_at as number).toBeGreaterThanOrEqual(sent - 5);
    expect(row!.duration as number).toBeGreaterThan(0);
  });

  it('saves requests only when saveResponses is off', async () => {
    const { origin, proxy, api } = await setup({ saveResponses: false });
    await requestThroughProxy(proxy.port, `${origin.url}/quiet`, { method: 'PUT', body: 'data' });
    await vi.waitFor(() => expect(api.list()).toHaveLength(1));
    const stored = api.get(api.list()[0]!.id)!;
    expect(stored.request.method).toBe('PUT');
    expect(stored.request.body?.bytes.toString()).toBe('data');
    expect(stored.response).toBeUndefined();
  });

  it('keeps truncated bodies with their real size and flag', async () => {
    const { origin, proxy, api } = await setup({}, { maxBodySize: 1024 });
    await requestThroughProxy(proxy.port, `${origin.url}/big`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'q'.repeat(4000) });
    await vi.waitFor(() => expect(api.list()).toHaveLength(1));
    const stored = api.get(api.list()[0]!.id)!;
    expect(stored.request.body).toMatchObject({ size: 4000, truncated: true });
    expect(stored.request.body!.bytes).toHaveLength(1024);
    expect(stored.response!.body).toMatchObject({ size: 5000, truncated: true });
    expect(stored.response!.body!.bytes).toHaveLength(1024);
  });

  it('keeps media responses as the filters leave them: status, headers and time, no body', async () => {
    const media: CapturePlugin = {
      name: 'media-test',
      apply(proxy) {
        proxy.hooks.onResponse.tap({ name: 'media-test', stage: Stage.FILTER }, (ctx) => {
          if (ctx.outgoing.headers.some(([name, value]) => name.toLowerCase() === 'content-type' && value.startsWith('image/'))) ctx.skipBody('media');
        });
      },
    };
    const { origin, proxy, api } = await setup({}, { plugins: [media] });
    const response = await requestThroughProxy(proxy.port, `${origin.url}/image.png`);
    expect(response.body).toHaveLength(3000);
    await vi.waitFor(() => expect(api.list()).toHaveLength(1));
    const stored = api.get(api.list()[0]!.id)!;
    expect(stored.response).toMatchObject({ statusCode: 200, bodySkipped: 'media', bodySize: 3000 });
    expect(stored.response!.body).toBeUndefined();
    expect(stored.response!.headers).toContainEqual(['Content-Type', 'image/png']);
    expect(stored.timings.total).toBeGreaterThan(0);
  });

  it('keeps history across restarts, flushing on close, with ids never reused', async () => {
    const first = await setup({ flushInterval: 1000 });
    await requestThroughProxy(first.proxy.port, `${first.origin.url}/one`);
    await requestThroughProxy(first.proxy.port, `${first.origin.url}/two`);
    await first.proxy.close();
    expect(readRows(first.file).map((row) => row.url)).toEqual([`${first.origin.url}/one`, `${first.origin.url}/two`]);
    const second = await setup({}, { dataDir: first.dataDir });
    expect(second.api.list().map((summary) => new URL(summary.url).pathname)).toEqual(['/two', '/one']);
    await requestThroughProxy(second.proxy.port, `${second.origin.url}/three`);
    await vi.waitFor(() => expect(second.api.list()).toHaveLength(3));
    expect(second.api.list().map((summary) => summary.id)).toEqual([3, 2, 1]);
  });

  it('reports a failed exchange with its error, and the proxy still answers', async () => {
    const { proxy, api } = await setup();
    const response = await requestThroughProxy(proxy.port, 'http://127.0.0.1:1/nothing-listens');
    expect(response.status).toBe(502);
    await vi.waitFor(() => expect(api.list()).toHaveLength(1));
    const stored = api.get(api.list()[0]!.id)!;
    expect(stored.error?.code).toBe('UPSTREAM_UNREACHABLE');
  });
});

describe('unusable data folder', () => {
  it('says once that history cannot be saved, and proxying goes on', async () => {
    const parent = tempDir();
    const notAFolder = path.join(parent, 'file');
    writeFileSync(notAFolder, 'a file where the data folder should be');
    const origin = await startOrigin();
    origins.push(origin);
    const errors: string[] = [];
    const listener: CapturePlugin = { name: 'errors', apply: (proxy) => void proxy.hooks.onError.tap('errors', (error) => void errors.push(error.message)) };
    const proxy = await startProxy({ dataDir: notAFolder, plugins: [listener, history()] });
    proxies.push(proxy);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^history: cannot open \S+\/file\/history\.db: .+; capturing goes on without saving history$/);
    for (let i = 0; i < 3; i++) expect((await requestThroughProxy(proxy.port, `${origin.url}/still-proxied`)).status).toBe(200);
    expect(errors).toHaveLength(1);
  });
});

describe('retention', () => {
  it('keeps only the newest maxEntries, pruning in the background', async () => {
    const { origin, proxy, api } = await setup({ maxEntries: 5, flushInterval: 10 });
    for (let i = 0; i < 12; i++) await requestThroughProxy(proxy.port, `${origin.url}/n/${i}`);
    // Pruning runs on the writer thread, which starts with the first write: slower than
    // vi.waitFor's default second when the machine is busy.
    await vi.waitFor(() => expect(api.list().map((summary) => new URL(summary.url).pathname)).toEqual(['/n/11', '/n/10', '/n/9', '/n/8', '/n/7']), { timeout: 15_000, interval: 50 });
  });

  it('prunes exchanges older than maxAge', async () => {
    const dataDir = tempDir();
    const { db } = openHistoryDatabase(path.join(dataDir, 'history.db'));
    const store = new HistoryStore(db);
    const old = Date.now() - 3 * 3600_000;
    const row = (url: string, startedAt: number) => ({
      started_at: startedAt, method: 'GET', url, host: 'old.example', http_version: '1.1', request_headers: '[]', request_trailers: null, response_trailers: null, websocket: null, grpc: null, request_body: null, request_body_size: 0,
      request_body_truncated: 0, request_body_skipped: null, request_body_encoding: null, request_body_decoded: 0, client_address: '127.0.0.1', client_port: 1, source: '127.0.0.1',
      tls: 0, mocked: 0, error_code: null, error_message: null, status: 200, status_message: 'OK', response_http_version: '1.1', response_headers: '[]',
      response_body: null, response_body_size: 0, response_body_truncated: 0, response_body_skipped: null, response_body_encoding: null, response_body_decoded: 0,
      duration: 1, first_byte: null,
    });
    store.insertMany([row('http://old.example/a', old), row('http://old.example/b', old + 1), row('http://recent.example/', Date.now() - 60_000)]);
    store.close();
    const { origin, proxy, api } = await setup({ maxAge: '2h', flushInterval: 10 }, { dataDir });
    await requestThroughProxy(proxy.port, `${origin.url}/new`);
    await vi.waitFor(() => expect(api.list().map((summary) => summary.url)).toEqual([`${origin.url}/new`, 'http://recent.example/']), { timeout: 15_000, interval: 50 });
  });
});

describe('options', () => {
  it('are validated in the factory, naming the option and the value', () => {
    expect(() => history({ maxEntries: 0 })).toThrow('history: option "maxEntries": expected a whole number of at least 1, got 0');
    expect(() => history({ maxAge: 'soon' })).toThrow('history: option "maxAge": expected milliseconds or a duration such as "30d" or "12h", got "soon"');
    expect(() => history({ flushInterval: 5000 })).toThrow('option "flushInterval"');
    expect(() => history({ saveResponse: true } as HistoryOptions)).toThrow('history: unknown option "saveResponse"');
    expect(history({ maxAge: '1d' }).api!.options.maxAge).toBe(86_400_000);
    expect((history().api as HistoryApi).options).toMatchObject({ saveResponses: true, maxEntries: 10_000, maxAge: undefined });
  });

  it('reconfigure merges overrides over the options', () => {
    const plugin = history({ maxEntries: 7 }).reconfigure!({ saveResponses: false });
    expect((plugin.api as HistoryApi).options).toMatchObject({ maxEntries: 7, saveResponses: false });
  });
});
