import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Exchange } from '@capture/core';
import { nextExchange, requestThroughProxy, type TestOrigin } from '@capture/core/testing';
import filters from '@capture/plugin-filters';
import history from '@capture/plugin-history';
import openapi from '@capture/plugin-openapi';
import { compileHarSchema } from './helpers/schemas.js';
import { startTestOrigin, startView, type ViewSetup } from './helpers/view.js';

// The page in a real browser: Debian's chromium driven by playwright-core. `.ci/run` installs
// chromium; outside CI, without it, the test is skipped.

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
/** Set CAPTURE_WEB_SCREENSHOTS=1 to refresh the README's screenshots. */
const SCREENSHOTS = process.env.CAPTURE_WEB_SCREENSHOTS ? fileURLToPath(new URL('../docs/', import.meta.url)) : undefined;

let setup: ViewSetup;
let origin: TestOrigin;
let context: BrowserContext;
let page: Page;
let profile: string;
/** Every uncaught error in the page; none is expected. */
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!available && !process.env.CI) return;
  setup = await startView({ plugins: [filters({ exclude: ['/analytics/'] }), history({ flushInterval: 10 }), openapi()] });
  origin = await startTestOrigin();
  profile = mkdtempSync(path.join(os.tmpdir(), 'capture-web-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    acceptDownloads: true,
    viewport: { width: 1400, height: 800 },
  });
  page = context.pages()[0] ?? (await context.newPage());
  // Below the test's timeout: a row that never comes fails naming its locator, not as a hung test.
  page.setDefaultTimeout(10_000);
  page.on('pageerror', (error) => pageErrors.push(error.stack ?? String(error)));
}, 60_000);

afterAll(async () => {
  await context?.close();
  await setup?.close();
  await origin?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

/**
 * Types a search and waits until the list holds it (the page reloads it after a pause in typing):
 * a search typed without waiting left its reload pending into the next test, which lost rows.
 */
async function searchFor(query: string): Promise<void> {
  await page.fill('#search', query);
  await expect.poll(() => page.locator('#status').getAttribute('data-query')).toBe(query);
}

const through = (url: string, options?: Parameters<typeof requestThroughProxy>[2]) => requestThroughProxy(setup.proxy.port, `${origin.url}${url}`, options);
const row = (text: string) => page.locator('#rows .row:not([hidden])', { hasText: text });

/** The rows the browser actually draws in the list (whatever their attributes say), top first. */
const renderedRows = () =>
  page.locator('#rows').evaluate((list) => {
    const box = list.getBoundingClientRect();
    return [...list.querySelectorAll('.row')]
      .filter((element) => {
        const rect = element.getBoundingClientRect();
        return element.getClientRects().length > 0 && rect.height > 0 && rect.bottom > box.top && rect.top < box.bottom;
      })
      .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
      .map((element) => ({ method: element.querySelector('.method')!.textContent, path: element.querySelector('.path')!.textContent }));
  });
/** The count in the footer ("3 exchanges matching …"). */
const footerCount = async () => Number(/^(\d+) exchanges?/.exec((await page.locator('#status').textContent()) ?? '')?.[1]);

/** Sends `count` GETs through the proxy, `concurrency` at a time, on keep-alive connections. */
async function burst(count: number, concurrency: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let next = 0;
  const worker = async () => {
    while (next < count) await through(`/json?burst=${next++}`, { agent });
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
}

// The CI hangs of the OpenAPI-export and h2-gRPC tests (reproduced with both cores busy): the
// OpenAPI test clicked the operation section while the previous exchange's detail was still shown,
// so the new detail came closed and the title never appeared (Playwright waited its default 30 s,
// the test's own timeout); its search stayed in force, so the gRPC test waited for a row it hid.
// Also: a search typed at the end of a test reloaded the list during the next one, and the page
// read its list while its new event stream was not yet followed, losing the exchanges completed
// in between. Fixed by waiting for the detail, `searchFor` (waits until the list holds the
// search), a reset before each test, the page reading its list once the stream is followed,
// Playwright's timeout below the test's and a longer poll timeout (vitest.config.ts). No retries:
// these tests send traffic and cannot be rerun on the same page (a retry saw its own rows twice).
describe.skipIf(!available && !process.env.CI)('the web view in Chromium', () => {
  // Each test starts from the unfiltered list: a test that failed mid-search
  // left its search in force, and the next test waited for rows the search hid.
  beforeEach(async () => {
    if (page && !page.isClosed() && (await page.inputValue('#search').catch(() => ''))) await searchFor('');
  });

  it('is refused without the token and loads with it, keeping it in the page, never in a cookie', async () => {
    expect(available, `Debian's chromium must be at ${CHROMIUM}`).toBe(true);
    // Without the token the page says what to open, and the API it calls answers 401.
    const apiStatuses: number[] = [];
    const onResponse = (response: { url(): string; status(): number }) => {
      if (new URL(response.url()).pathname.startsWith('/api/')) apiStatuses.push(response.status());
    };
    page.on('response', onResponse);
    await page.goto(`${setup.base}/`);
    await expect.poll(() => page.locator('#toast').textContent()).toContain('no access token');
    expect(apiStatuses.every((status) => status === 401)).toBe(true);
    page.off('response', onResponse);
    const loaded = await page.goto(`${setup.base}/?token=${setup.token}`);
    expect(loaded?.status()).toBe(200);
    await page.locator('#live.on').waitFor();
    // The token left the address bar; the page goes on with it as a bearer header, and no cookie holds it.
    expect(new URL(page.url()).search).toBe('');
    expect(await context.cookies(setup.base)).toEqual([]);
    // A reload (same tab) keeps working: the token is in this origin's session storage.
    await page.reload();
    await page.locator('#live.on').waitFor();
    expect(await context.cookies(setup.base)).toEqual([]);
  });

  it('shows the mode capture runs in among its settings', async () => {
    await page.locator('#settings-button').click();
    const mode = page.locator('#settings-body tr', { hasText: 'Mode' });
    await expect.poll(() => mode.locator('td').textContent()).toBe('forward proxy');
    await page.locator('#settings-dialog [data-close]').click();
    await expect.poll(() => page.locator('#settings-dialog').evaluate((dialog) => (dialog as unknown as { open: boolean }).open)).toBe(false);
  });

  it('shows traffic live without a reload, opens its detail with the JSON pretty-printed, and searches', async () => {
    await through('/json?browser=1');
    await row('/json?browser=1').waitFor();
    await through('/login', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'user=ann&secret=s3cret' });
    await through('/xml');
    await through('/analytics/ping');
    await row('/analytics/ping').waitFor();
    // Newest on top; the filtered one marked; statuses coloured by class.
    const paths = await page.locator('#rows .row:not([hidden]) .path').allTextContents();
    expect(paths).toEqual(['/analytics/ping', '/xml', '/login', '/json?browser=1']);
    await expect.poll(() => row('/analytics/ping').locator('.flags').textContent()).toBe('filtered');
    expect(await row('/xml').locator('.status').getAttribute('class')).toContain('s2');

    await row('/json?browser=1').click();
    const body = page.locator('#response-body pre.code.json');
    await body.waitFor();
    expect(await body.textContent()).toBe(JSON.stringify({ user: { name: 'ann', roles: ['admin', 'dev'] }, path: '/json?browser=1' }, null, 2));
    expect(await page.locator('#detail .url').textContent()).toBe(`${origin.url}/json?browser=1`);
    if (SCREENSHOTS) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      await page.screenshot({ path: path.join(SCREENSHOTS, 'detail.png') });
    }

    // Search narrows the list: by method, then by text in a request body.
    await searchFor('POST');
    await expect.poll(() => page.locator('#rows .row:not([hidden]) .path').allTextContents()).toEqual(['/login']);
    // What is drawn is exactly the matches, as many as the footer says (no stale rows left below).
    await expect.poll(renderedRows).toEqual([{ method: 'POST', path: '/login' }]);
    expect(await footerCount()).toBe(1);
    // Clicking after the search opens a match, and the page throws nothing.
    await page.locator('#rows .row', { hasText: '/login' }).click();
    await expect.poll(() => page.locator('#detail .url').textContent()).toBe(`${origin.url}/login`);
    expect(pageErrors).toEqual([]);
    await searchFor('s3cret');
    await expect.poll(() => page.locator('#rows .row:not([hidden]) .path').allTextContents()).toEqual(['/login']);
    // A live exchange that does not match the search stays out; one that does comes in.
    await through('/json?while=searching');
    await through('/login?again=1', { method: 'POST', body: 's3cret' });
    await expect.poll(() => page.locator('#rows .row:not([hidden]) .path').allTextContents()).toEqual(['/login?again=1', '/login']);
    await expect.poll(renderedRows).toEqual([{ method: 'POST', path: '/login?again=1' }, { method: 'POST', path: '/login' }]);
    expect(await footerCount()).toBe(2);
    await searchFor('');
    await expect.poll(() => page.locator('#rows .row:not([hidden]) .path').count()).toBe(6);
    await expect.poll(async () => (await renderedRows()).length).toBe(6);

    // Keyboard: the list takes focus, arrows move, the detail follows.
    await page.focus('#rows');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await expect.poll(() => page.locator('#detail .url').textContent()).toBe(`${origin.url}/json?while=searching`);
  });

  it('shows exactly the matches after a search, however many rows it hides, and clicking them throws nothing', async () => {
    for (let i = 0; i < 12; i++) await through(`/json?get=${i}`);
    for (let i = 0; i < 3; i++) await through(`/login?post=${i}`, { method: 'POST', body: 'x' });
    await row('/login?post=2').waitFor();
    for (const query of ['POST', 'get=1', 'nothing-matches-this', 'post=']) {
      await searchFor(query);
      await expect.poll(async () => (await page.locator('#status').textContent())?.includes(`“${query}”`)).toBe(true);
      await expect.poll(async () => (await renderedRows()).length).toBe(await footerCount());
      const drawn = await renderedRows();
      if (query === 'POST') expect(drawn.length).toBeGreaterThanOrEqual(5);
      for (const { method, path } of drawn) expect(query === 'POST' ? method : path, `${method} ${path} under “${query}”`).toContain(query === 'POST' ? 'POST' : query);
      // Click every drawn row: each opens its own exchange.
      for (const [i, drawnRow] of drawn.entries()) {
        await page.locator('#rows .row').nth(i).click();
        await expect.poll(() => page.locator('#detail .url').textContent()).toBe(`${origin.url}${drawnRow.path}`);
      }
    }
    expect(pageErrors).toEqual([]);
    await searchFor('');
    await expect.poll(async () => (await renderedRows()).length).toBe(await footerCount());
  });

  it('exports the selection as a HAR file that validates', async () => {
    await row('/xml').click();
    await row('/json?browser=1').click({ modifiers: ['Control'] });
    await page.click('#export-menu summary');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-export="har:selection"]')]);
    expect(download.suggestedFilename()).toMatch(/^capture-.*\.har$/);
    const har = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { log: { entries: Array<{ request: { url: string } }> } };
    const validate = compileHarSchema();
    expect(validate(har), JSON.stringify(validate.errors)).toBe(true);
    expect(har.log.entries.map((entry) => new URL(entry.request.url).pathname)).toEqual(['/json', '/xml']);
  });

  it('exports the filtered list as OpenAPI and shows the operation of the opened exchange', async () => {
    await through('/users/1');
    await through('/users/2');
    await searchFor('/users/');
    await expect.poll(async () => (await renderedRows()).length).toBe(2);
    await page.click('#export-menu summary');
    const button = page.locator('[data-export="openapi:list"]');
    expect(await button.isDisabled()).toBe(false);
    const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
    expect(download.suggestedFilename()).toMatch(/^openapi-.*\.yaml$/);
    const document = setup.proxy.proxy.plugin('openapi')!.api!.parse(readFileSync((await download.path())!, 'utf8'));
    expect(Object.keys(document.paths ?? {})).toEqual(['/users/{userId}']);
    await expect.poll(() => page.locator('#toast').textContent()).toBe('Exported 2 exchanges as an OpenAPI document.');

    await row('/users/1').click();
    // The detail shown must be this one before its section is opened: clicking while the previous
    // exchange was still shown opened that one's section, then the new detail replaced it closed.
    await expect.poll(() => page.locator('#detail .url').textContent()).toBe(`${origin.url}/users/1`);
    await page.click('#openapi-operation summary');
    const operation = page.locator('#openapi-operation .operation');
    await expect.poll(() => operation.locator('.operation-title').textContent()).toMatch(/^GET \/users\/\{userId\} \(http:\/\/127\.0\.0\.1:\d+; from 2 exchanges\)$/);
    const schema = JSON.parse((await operation.locator('.response-schema pre').first().textContent())!) as { type: string; properties: Record<string, { type: string }> };
    expect(schema).toMatchObject({ type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } });
    expect(pageErrors).toEqual([]);
    await searchFor('');
    await expect.poll(async () => (await renderedRows()).length).toBe(await footerCount());
  });

  it('shows an HTTP/2 gRPC exchange with both HTTP versions, both sides\' trailers and its gRPC status', async () => {
    // A real exchange given the shape an h2 gRPC stream records, passed to onExchange as the
    // HTTPS plugin would (so history stores it and the view lists it live).
    const next = nextExchange(setup.proxy.proxy);
    await through('/json?h2=template');
    const template = await next;
    const grpc: Exchange = {
      ...template,
      id: template.id + 100_000,
      tls: true,
      request: { ...template.request, method: 'POST', url: 'https://localhost:50051/shop.Shop/GetItem', httpVersion: '2', headers: [['content-type', 'application/grpc'], ['te', 'trailers']], trailers: [['x-client-checksum', 'c1']] },
      response: { ...template.response!, httpVersion: '1.1', headers: [['content-type', 'application/grpc+proto']], trailers: [['grpc-status', '5'], ['grpc-message', 'no such item']] },
    };
    await setup.proxy.proxy.hooks.onExchange.promise(grpc);
    const grpcRow = row('/shop.Shop/GetItem');
    await grpcRow.waitFor();
    expect(await grpcRow.locator('.status').textContent()).toBe('grpc 5 NOT_FOUND');
    await grpcRow.click();
    await expect.poll(() => page.locator('#detail .url').textContent()).toBe('https://localhost:50051/shop.Shop/GetItem');
    expect(await page.locator('#detail .grpc-status').textContent()).toBe(' grpc 5 NOT_FOUND');
    const timings = page.locator('#detail table.pairs').first();
    expect(await timings.locator('tr', { hasText: 'HTTP' }).locator('td').textContent()).toBe('HTTP/2 from the client, HTTP/1.1 from the origin');
    expect(await page.locator('#request-trailers summary').textContent()).toBe('Request trailers (1)');
    expect(await page.locator('#request-trailers td').allTextContents()).toEqual(['c1']);
    expect(await page.locator('#response-trailers th').allTextContents()).toEqual(['grpc-status', 'grpc-message']);
    expect(await page.locator('#response-trailers td').allTextContents()).toEqual(['5', 'no such item']);
    // Read back from history (an `h` id), it shows the same.
    await setup.proxy.proxy.plugin('history')!.api!.flush();
    await page.reload();
    await page.locator('#live.on').waitFor();
    await row('/shop.Shop/GetItem').click();
    await expect.poll(() => page.locator('#response-trailers td').allTextContents()).toEqual(['5', 'no such item']);
    expect(await row('/shop.Shop/GetItem').locator('.status').textContent()).toBe('grpc 5 NOT_FOUND');
    expect(await page.locator('#request-trailers td').allTextContents()).toEqual(['c1']);
    // An HTTP/1.1 exchange has no trailer sections and one version.
    await row('/json?h2=template').click();
    await expect.poll(() => page.locator('#detail .url').textContent()).toBe(`${origin.url}/json?h2=template`);
    expect(await page.locator('#response-trailers').count()).toBe(0);
    expect(await page.locator('#detail table.pairs').first().locator('tr', { hasText: 'HTTP' }).locator('td').textContent()).toBe('HTTP/1.1');
    expect(pageErrors).toEqual([]);
  });

  it('shows a WebSocket connection\'s messages in the Messages pane, from history too', async () => {
    const next = nextExchange(setup.proxy.proxy);
    await through('/json?ws=template');
    const template = await next;
    const t0 = template.timings.startedAt;
    const upgraded: Exchange = {
      ...template,
      id: template.id + 200_000,
      request: { ...template.request, url: `${origin.url}/socket`, headers: [['Upgrade', 'websocket'], ['Connection', 'Upgrade']] },
      response: { ...template.response!, statusCode: 101, statusMessage: 'Switching Protocols', headers: [['Upgrade', 'websocket']] },
      websocket: {
        messages: [
          { fromClient: true, opcode: 1, time: t0 + 1, size: 15, text: '{"hello":"ws"}', truncated: false },
          { fromClient: false, opcode: 2, time: t0 + 2, size: 3, base64: 'AAEC', truncated: false },
        ],
        closeCode: 1000,
        closeReason: 'done',
        closedBy: 'server',
        droppedMessages: 0,
      },
    };
    await setup.proxy.proxy.hooks.onExchange.promise(upgraded);
    await setup.proxy.proxy.plugin('history')!.api!.flush();
    await page.reload();
    await page.locator('#live.on').waitFor();
    await row('/socket').click();
    const messages = page.locator('#messages .message');
    await expect.poll(() => messages.count()).toBe(2);
    expect(await page.locator('#messages summary').textContent()).toBe('Messages (2)');
    expect(await messages.nth(0).locator('.direction').textContent()).toBe('→');
    expect(await messages.nth(0).locator('pre.json').textContent()).toBe(JSON.stringify({ hello: 'ws' }, null, 2));
    expect(await messages.nth(1).locator('.direction').textContent()).toBe('←');
    expect(await messages.nth(1).locator('pre.hex').textContent()).toBe('00 01 02');
    expect(await page.locator('#messages .closed').textContent()).toBe('Closed by the server: 1000 done');
    expect(pageErrors).toEqual([]);
  });

  it('stops new rows while paused and shows them again once resumed', async () => {
    await page.click('#pause');
    await expect.poll(() => page.locator('#pause').textContent()).toBe('Resume capture');
    expect(await page.locator('#paused-banner').isVisible()).toBe(true);
    await through('/json?during=pause');
    await page.click('#pause');
    await expect.poll(() => page.locator('#pause').textContent()).toBe('Pause capture');
    await through('/json?after=pause');
    await row('/json?after=pause').waitFor();
    expect(await row('/json?during=pause').count()).toBe(0);
    if (SCREENSHOTS) {
      await through('/missing/7');
      await through('/image.png');
      await row('/image.png').waitFor();
      await row('/login').first().click();
      await page.locator('#toast').evaluate((element) => (element.hidden = true));
      await page.screenshot({ path: path.join(SCREENSHOTS, 'list.png') });
    }
  });

  it('keeps up with a burst of traffic, rendering only the visible rows', async () => {
    const before = await page.locator('#rows').evaluate((element) => element.querySelectorAll('.row').length);
    const listed = await footerCount();
    await burst(400, 20);
    await expect.poll(footerCount, { timeout: 20_000 }).toBe(listed + 400);
    const rendered = await page.locator('#rows').evaluate((element) => element.querySelectorAll('.row').length);
    // About a screenful plus overscan, however many there are.
    expect(rendered).toBeLessThan(80);
    expect(rendered).toBeGreaterThanOrEqual(before);
    await page.locator('#rows').evaluate((element) => (element.scrollTop = 5000));
    await expect.poll(() => page.locator('#rows .row:not([hidden]) .path').first().textContent()).toMatch(/^\/json\?burst=\d+$/);
  });
});
