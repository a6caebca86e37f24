import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestThroughProxy, type TestOrigin } from '@capture/core/testing';
import collections from '@capture/plugin-collections';
import filters from '@capture/plugin-filters';
import history from '@capture/plugin-history';
import type { ExchangeDetail, ExchangeSummary, ListResponse, SettingsView } from '../src/index.js';
import { compileHarSchema, compilePostmanSchema } from './helpers/schemas.js';
import { api, openEvents, startTestOrigin, startView, type EventStream, type ViewSetup } from './helpers/view.js';

let setup: ViewSetup | undefined;
let origin: TestOrigin | undefined;
let stream: EventStream | undefined;
afterEach(async () => {
  stream?.close();
  await setup?.close();
  await origin?.close();
  stream = undefined;
  setup = undefined;
  origin = undefined;
});

const list = async (query = '') => (await api(setup!, `/api/exchanges?q=${encodeURIComponent(query)}`)).json<ListResponse>().exchanges;
const historyApi = () => setup!.proxy.proxy.plugin('history')!.api!;

/** Sends the usual traffic: a JSON GET, a form POST, an XML GET, a 404, an image, and a filtered request. */
async function sendTraffic(): Promise<void> {
  const through = (url: string, options?: Parameters<typeof requestThroughProxy>[2]) => requestThroughProxy(setup!.proxy.port, `${origin!.url}${url}`, options);
  await through('/json?page=2');
  await through('/login', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'user=ann&secret=s3cret-words' });
  await through('/xml');
  await through('/missing/7');
  await through('/image.png');
  await through('/analytics/ping');
}

describe('the view API', () => {
  it('streams each new exchange to open pages as it completes (server-sent events), filtered by the page search', async () => {
    setup = await startView();
    origin = await startTestOrigin();
    stream = await openEvents(setup);
    const onlyPosts = await openEvents(setup, 'POST');
    try {
      expect(stream.events[0]).toEqual({ type: 'paused', data: { paused: false } });
      await requestThroughProxy(setup.proxy.port, `${origin.url}/json?live=1`);
      const event = await stream.next((candidate) => candidate.type === 'exchanges');
      const [row] = event.data as ExchangeSummary[];
      expect(row).toMatchObject({ method: 'GET', status: 200, path: '/json?live=1', type: 'application/json', host: `127.0.0.1:${origin.port}` });
      expect(row!.id).toMatch(/^x\d+$/);
      await requestThroughProxy(setup.proxy.port, `${origin.url}/echo`, { method: 'POST', body: 'hi' });
      const posted = await onlyPosts.next((candidate) => candidate.type === 'exchanges');
      expect((posted.data as ExchangeSummary[]).map((entry) => entry.method)).toEqual(['POST']);
      // The live row opens in full at once, before history has written it.
      const detail = (await api(setup, `/api/exchanges/${row!.id}`)).json<ExchangeDetail>();
      expect(detail.response?.body.kind).toBe('json');
    } finally {
      onlyPosts.close();
    }
  });

  it('lists history newest first, searches by method, status, URL and body text, and marks filtered and media exchanges', async () => {
    setup = await startView({ plugins: [filters({ exclude: ['/analytics/'] }), history({ flushInterval: 10 })] });
    origin = await startTestOrigin();
    await sendTraffic();
    // Once history has written them, the list is history's rows (h ids), plus the filtered one only the view saw.
    await vi.waitFor(() => expect(historyApi().list()).toHaveLength(5), { timeout: 10_000 });
    const rows = await list();
    expect(rows.map((row) => `${row.method} ${row.path}`)).toEqual(['GET /analytics/ping', 'GET /image.png', 'GET /missing/7', 'GET /xml', 'POST /login', 'GET /json?page=2']);
    expect(rows.map((row) => row.id[0]).join('')).toBe('xhhhhh');
    expect(rows[0]!.flags).toEqual({ skipped: 'filtered: exclude' });
    expect(rows[1]).toMatchObject({ status: 200, type: 'image/png', flags: { media: true } });
    expect(rows[2]).toMatchObject({ status: 404, type: 'text/plain', size: 13 });
    expect(rows[5]!.duration).toBeGreaterThan(0);

    const paths = async (query: string) => (await list(query)).map((row) => row.path);
    expect(await paths('post')).toEqual(['/login']);
    expect(await paths('404')).toEqual(['/missing/7']);
    expect(await paths('4xx')).toEqual(['/missing/7']);
    // Filtered exchanges were still proxied: they have a status too.
    expect(await paths('2xx GET')).toEqual(['/analytics/ping', '/image.png', '/xml', '/json?page=2']);
    expect(await paths('PAGE=2')).toEqual(['/json?page=2']);
    // Text in bodies: the request body of the POST and a response body.
    expect(await paths('s3cret-words')).toEqual(['/login']);
    expect(await paths('roles')).toEqual(['/json?page=2']);
    expect(await paths('analytics')).toEqual(['/analytics/ping']);
    expect(await paths('nothing-like-this')).toEqual([]);
  });

  it('lists page by page: each page starts after the last row of the one before, and the pages together are the whole list', async () => {
    setup = await startView({ plugins: [filters({ exclude: ['/analytics/'] }), history({ flushInterval: 10 })] });
    origin = await startTestOrigin();
    await sendTraffic();
    await vi.waitFor(() => expect(historyApi().list()).toHaveLength(5), { timeout: 10_000 });
    const whole = await list();
    const pages: ExchangeSummary[][] = [];
    let before = '';
    for (;;) {
      const page = (await api(setup, `/api/exchanges?limit=2${before ? `&before=${encodeURIComponent(before)}` : ''}`)).json<ListResponse>();
      pages.push(page.exchanges);
      if (!page.more) break;
      const last = page.exchanges.at(-1)!;
      before = `${last.startedAt}:${last.id}`;
    }
    expect(pages.map((page) => page.length)).toEqual([2, 2, 2]);
    expect(pages.flat().map((row) => row.id)).toEqual(whole.map((row) => row.id));
    // A search pages the same way.
    const first = (await api(setup, '/api/exchanges?q=GET&limit=1')).json<ListResponse>();
    const second = (await api(setup, `/api/exchanges?q=GET&limit=10&before=${first.exchanges[0]!.startedAt}:${first.exchanges[0]!.id}`)).json<ListResponse>();
    expect([...first.exchanges, ...second.exchanges].map((row) => row.path)).toEqual(['/analytics/ping', '/image.png', '/missing/7', '/xml', '/json?page=2']);
    expect(second.more).toBe(false);
    expect((await api(setup, '/api/exchanges?before=yesterday')).status).toBe(400);
  });

  it('lists the source of each exchange and selects by it, live and from history', async () => {
    setup = await startView({ plugins: [history({ flushInterval: 10 })] });
    origin = await startTestOrigin();
    setup.proxy.proxy.addClientSource('npm', 'pw', 'run:npm');
    const runAuth = `Basic ${Buffer.from('npm:pw').toString('base64')}`;
    await requestThroughProxy(setup.proxy.port, `${origin.url}/json?from=run`, { headers: { 'Proxy-Authorization': runAuth } });
    await requestThroughProxy(setup.proxy.port, `${origin.url}/json?from=client`);
    // Live rows (x ids) first, then the same rows as history reads them back (h ids).
    const sources = async (query = '') => (await list(query)).map((row) => `${row.path} ${row.source}`);
    expect(await sources()).toEqual(['/json?from=client 127.0.0.1', '/json?from=run run:npm']);
    expect(await sources('source:run:')).toEqual(['/json?from=run run:npm']);
    await vi.waitFor(() => expect(historyApi().list()).toHaveLength(2), { timeout: 10_000 });
    expect((await list()).map((row) => row.id[0]).join('')).toBe('hh');
    expect(await sources('source:run:npm')).toEqual(['/json?from=run run:npm']);
    expect(await sources('source:127.0.0.1')).toEqual(['/json?from=client 127.0.0.1']);
  });

  it('shows an exchange in full: headers, pretty JSON and XML, form fields, images, binary summarised, timings and flags', async () => {
    setup = await startView();
    origin = await startTestOrigin();
    await sendTraffic();
    await requestThroughProxy(setup.proxy.port, `${origin.url}/bytes`, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: Buffer.from([0, 1, 2, 255]) });
    await vi.waitFor(() => expect(historyApi().list()).toHaveLength(7), { timeout: 10_000 });
    const rows = await list();
    const byPath = (wanted: string) => rows.find((row) => row.path === wanted)!.id;
    const detail = async (id: string) => (await api(setup!, `/api/exchanges/${id}`)).json<ExchangeDetail>();

    const json = await detail(byPath('/json?page=2'));
    expect(json.response!.body.kind).toBe('json');
    expect(json.response!.body.text).toBe(JSON.stringify({ user: { name: 'ann', roles: ['admin', 'dev'] }, path: '/json?page=2' }, null, 2));
    expect(json.request.headers.map(([name]) => name.toLowerCase())).toContain('host');
    expect(json.response!.headers).toContainEqual(['Content-Type', 'application/json']);
    expect(json.timings.total).toBeGreaterThan(0);
    expect(json.timings.firstByte).toBeGreaterThan(0);
    expect(json.client.address).toBe('127.0.0.1');

    const xml = await detail(byPath('/xml'));
    expect(xml.response!.body).toMatchObject({ kind: 'xml', text: '<?xml version="1.0"?>\n<order>\n  <id>7</id>\n  <items>\n    <item sku="a">pen</item>\n  </items>\n</order>' });
    const form = await detail(byPath('/login'));
    expect(form.request.body).toMatchObject({ kind: 'form', fields: [['user', 'ann'], ['secret', 's3cret-words']] });
    const image = await detail(byPath('/image.png'));
    expect(image.response!.body.kind).toBe('image');
    expect(image.response!.body.dataUrl).toMatch(/^data:image\/png;base64,iVBORw0KGgo/);
    const binary = await detail(byPath('/bytes'));
    expect(binary.request.body).toMatchObject({ kind: 'binary', hex: '00 01 02 ff', size: 4 });
    expect((await api(setup, '/api/exchanges/h999999')).status).toBe(404);
  });

  it('exports the chosen exchanges as a HAR file and a Postman collection that validate, as downloads', async () => {
    setup = await startView({ plugins: [filters({ exclude: ['/analytics/'] }), history({ flushInterval: 10 })] });
    origin = await startTestOrigin();
    await sendTraffic();
    await vi.waitFor(() => expect(historyApi().list()).toHaveLength(5), { timeout: 10_000 });
    const rows = await list();
    const ids = rows.map((row) => row.id);

    const har = await api(setup, '/api/export', { body: { format: 'har', ids } });
    expect(har.status).toBe(200);
    expect(har.headers['content-disposition']).toMatch(/^attachment; filename="capture-.*\.har"$/);
    const document = har.json<{ log: { entries: Array<{ request: { url: string; postData?: { text: string } }; response: { status: number } }> } }>();
    const validateHar = compileHarSchema();
    expect(validateHar(document), JSON.stringify(validateHar.errors)).toBe(true);
    // Oldest first, the filtered one included (it was in the list), its response head kept.
    expect(document.log.entries.map((entry) => new URL(entry.request.url).pathname)).toEqual(['/json', '/login', '/xml', '/missing/7', '/image.png', '/analytics/ping']);
    expect(document.log.entries[1]!.request.postData?.text).toBe('user=ann&secret=s3cret-words');

    const chosen = [rows.find((row) => row.path === '/login')!.id, rows.find((row) => row.path === '/json?page=2')!.id];
    const postman = await api(setup, '/api/export', { body: { format: 'postman', ids: chosen, name: 'Picked Calls' } });
    expect(postman.headers['content-disposition']).toBe('attachment; filename="picked-calls.postman_collection.json"');
    const collection = postman.json<{ info: { name: string }; item: Array<{ name: string; response: unknown[] }> }>();
    const validatePostman = compilePostmanSchema();
    expect(validatePostman(collection), JSON.stringify(validatePostman.errors)).toBe(true);
    expect(collection.info.name).toBe('Picked Calls');
    expect(collection.item.map((item) => item.name)).toEqual(['GET /json', 'POST /login']);
    expect(collection.item[0]!.response).toHaveLength(1);

    const bad = await api(setup, '/api/export', { body: { format: 'zip', ids } });
    expect(bad.status).toBe(400);
    expect(bad.json<{ error: string }>().error).toContain('"format" must be "har", "postman" or "openapi"');
    expect((await api(setup, '/api/export', { body: { format: 'har', ids: ['h424242'] } })).status).toBe(404);
  });

  it('copies an exchange as curl', async () => {
    setup = await startView();
    origin = await startTestOrigin();
    await requestThroughProxy(setup.proxy.port, `${origin.url}/login`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1' });
    const [row] = await list();
    const curl = await api(setup, `/api/exchanges/${row!.id}/curl`);
    // Issue 22 item 1: bodies go as --data-raw, which never reads @file on replay.
    expect(curl.text).toMatch(new RegExp(`^curl '${origin.url}/login' .*--data-raw 'a=1'\\n$`));
  });

  it('pauses capturing (exchanges are proxied, not saved, not listed) and resumes it, telling open pages', async () => {
    setup = await startView();
    origin = await startTestOrigin();
    stream = await openEvents(setup);
    expect((await api(setup, '/api/capture', { body: { paused: true } })).json()).toEqual({ paused: true });
    await stream.next((event) => event.type === 'paused' && (event.data as { paused: boolean }).paused);
    const whilePaused = await requestThroughProxy(setup.proxy.port, `${origin.url}/json?while=paused`);
    expect(whilePaused.status).toBe(200);
    expect((await api(setup, '/api/settings')).json<SettingsView>().paused).toBe(true);

    await api(setup, '/api/capture', { body: { paused: false } });
    await requestThroughProxy(setup.proxy.port, `${origin.url}/json?after=resume`);
    await stream.next((event) => event.type === 'exchanges' && (event.data as ExchangeSummary[]).some((row) => row.path === '/json?after=resume'));
    await vi.waitFor(() => expect(historyApi().list().map((row) => row.url)).toEqual([`${origin!.url}/json?after=resume`]), { timeout: 10_000 });
    expect((await list()).map((row) => row.path)).toEqual(['/json?after=resume']);
    expect(stream.events.filter((event) => event.type === 'exchanges').flatMap((event) => (event.data as ExchangeSummary[]).map((row) => row.path))).toEqual(['/json?after=resume']);
  });

  it('clears history only when confirmed, and tells open pages', async () => {
    setup = await startView();
    origin = await startTestOrigin();
    await sendTraffic();
    await vi.waitFor(() => expect(historyApi().list()).toHaveLength(6), { timeout: 10_000 });
    stream = await openEvents(setup);
    const unconfirmed = await api(setup, '/api/clear', { body: {} });
    expect(unconfirmed.status).toBe(400);
    expect(historyApi().list()).toHaveLength(6);
    expect((await api(setup, '/api/clear', { body: { confirm: true } })).json()).toEqual({ deleted: 6 });
    await stream.next((event) => event.type === 'cleared');
    expect(historyApi().list()).toEqual([]);
    expect(await list()).toEqual([]);
  });

  it('saves the selection into a named collection through the collections plugin, and says when it is not running', async () => {
    setup = await startView();
    origin = await startTestOrigin();
    await sendTraffic();
    const ids = (await list()).map((row) => row.id);
    const unavailable = await api(setup, '/api/collections', { body: { name: 'Mine', ids } });
    expect(unavailable.status).toBe(409);
    expect(unavailable.json<{ error: string }>().error).toContain('--collection NAME');
    expect((await api(setup, '/api/settings')).json<SettingsView>().can.saveToCollection).toBe(false);
    await setup.close();

    setup = await startView({ plugins: [history({ flushInterval: 10 }), collections({ name: 'Running', saveResponses: true })] });
    await sendTraffic();
    const rows = await list();
    const chosen = rows.filter((row) => row.method === 'POST' || row.path.startsWith('/xml')).map((row) => row.id);
    const saved = (await api(setup, '/api/collections', { body: { name: 'Login Flow', ids: chosen } })).json<{ file: string; added: number }>();
    expect(saved).toEqual({ file: path.join(setup.dataDir, 'collections', 'login-flow.postman_collection.json'), added: 2 });
    expect(existsSync(saved.file)).toBe(true);
    const collection = JSON.parse(readFileSync(saved.file, 'utf8')) as { info: { name: string }; item: Array<{ name: string }> };
    expect(compilePostmanSchema()(collection)).toBe(true);
    expect(collection.info.name).toBe('Login Flow');
    expect(collection.item.map((item) => item.name)).toEqual(['POST /login', 'GET /xml']);
  });

  it('shows the running capture settings', async () => {
    setup = await startView({ plugins: [filters({ exclude: ['/analytics/', /tracking/i], methods: 'GET,POST', excludeAssets: true }), history({ flushInterval: 10, saveResponses: false })] });
    const settings = (await api(setup, '/api/settings')).json<SettingsView>();
    expect(settings).toMatchObject({
      proxy: { host: '127.0.0.1', port: setup.proxy.port, url: setup.proxy.url, mode: 'forward proxy' },
      saveTo: ['history'],
      saveResponses: { history: false },
      filters: { excludeAssets: true, include: [], exclude: ['/analytics/', '/tracking/i'], methods: ['GET', 'POST'] },
      history: { file: path.join(setup.dataDir, 'history.db'), maxEntries: 10_000 },
      paused: false,
      can: { exportHar: true, exportPostman: true, curl: true, saveToCollection: false, clear: true },
      plugins: ['filters', 'history', 'web'],
    });
  });

  it('shows the mode capture runs in, as the start banner prints it', async () => {
    setup = await startView({ config: { reverse: 'http://127.0.0.1:9' } });
    expect((await api(setup, '/api/settings')).json<SettingsView>().proxy.mode).toBe(setup.proxy.proxy.mode.description);
    expect(setup.proxy.proxy.mode.description).toBe('reverse proxy for http://127.0.0.1:9');
  });
});
