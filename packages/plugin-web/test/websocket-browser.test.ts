import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { StoredExchange, WebSocketMessageRecord } from '@capture/core/record';
import history from '@capture/plugin-history';
import httpsPlugin from '@capture/plugin-https';
import websocket from '@capture/plugin-websocket';
import { startView, type ViewSetup } from './helpers/view.js';

// WebSocket capture as a user meets it: Debian's chromium, told to use capture as its proxy and
// to trust capture's CA by its SPKI pin (`--ignore-certificate-errors-spki-list`, the pin
// matches because capture sends its CA after the leaf), opens ws:// and wss:// connections to
// local `ws` echo servers; every message is then found in history (the `capture history show
// --json` shape), in the HAR export and in the web view's Messages pane, live while the
// connection is open.

const CHROMIUM = '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
/** Set CAPTURE_WEB_SCREENSHOTS=1 to refresh the README's screenshot of the Messages pane. */
const SCREENSHOT = process.env.CAPTURE_WEB_SCREENSHOTS ? fileURLToPath(new URL('../../../docs/images/websocket-messages.png', import.meta.url)) : undefined;

let dir: string;
let setup: ViewSetup;
let plainOrigin: http.Server;
let tlsOrigin: https.Server;
const wsServers: WebSocketServer[] = [];
let plainPort: number;
let tlsPort: number;
let browser: Browser;
/** Chromium as the user's app: every request through capture. */
let client: BrowserContext;
let app: Page;
/** The web view, opened directly (the proxy refuses to carry it). */
let view: Page;
const pageErrors: string[] = [];

/** An echo `ws` server (text as text, binary as binary) on `server`, with permessage-deflate as browsers offer it. */
function echoOn(server: http.Server): void {
  const wss = new WebSocketServer({ server, perMessageDeflate: true });
  wss.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
  wsServers.push(wss);
}

async function listen(server: http.Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return (server.address() as AddressInfo).port;
}

beforeAll(async () => {
  if (!available && !process.env.CI) return;
  dir = mkdtempSync(path.join(os.tmpdir(), 'capture-web-ws-'));
  // The wss origin's own certificate, which capture trusts as an upstream CA (Chromium never sees it).
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', path.join(dir, 'origin.key'), '-out', path.join(dir, 'origin.pem'),
  ], { stdio: 'ignore' });
  plainOrigin = http.createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/html' }).end('<!doctype html><title>ws app</title><p>app'));
  echoOn(plainOrigin);
  plainPort = await listen(plainOrigin);
  tlsOrigin = https.createServer({ key: readFileSync(path.join(dir, 'origin.key')), cert: readFileSync(path.join(dir, 'origin.pem')) });
  echoOn(tlsOrigin);
  tlsPort = await listen(tlsOrigin);

  const httpsInstance = httpsPlugin({ upstreamCa: [path.join(dir, 'origin.pem')] });
  setup = await startView({ plugins: [httpsInstance, websocket(), history({ flushInterval: 10 })] });
  const pin = httpsInstance.api!.ca!.spkiSha256;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', `--ignore-certificate-errors-spki-list=${pin}`],
  });
  // Playwright adds `<-loopback>` to the bypass list, so 127.0.0.1 and localhost go through capture too.
  client = await browser.newContext({ proxy: { server: `http://127.0.0.1:${setup.proxy.port}` } });
  app = await client.newPage();
  const viewContext = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  view = await viewContext.newPage();
  // Below the test's timeout: a message that never comes fails naming its locator.
  app.setDefaultTimeout(10_000);
  view.setDefaultTimeout(10_000);
  view.on('pageerror', (error) => pageErrors.push(error.stack ?? String(error)));
}, 60_000);

afterAll(async () => {
  await browser?.close();
  for (const wss of wsServers) {
    for (const socket of wss.clients) socket.terminate();
    wss.close();
  }
  await setup?.close();
  for (const server of [plainOrigin, tlsOrigin]) {
    server?.closeAllConnections();
    if (server) await new Promise((resolve) => server.close(resolve));
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** What the app page sends; binary as byte arrays. */
type Outgoing = { text: string } | { bytes: number[] };

/**
 * In the app page: opens `url` and keeps it as `window.sockets[name]`, resolving once open (or
 * rejecting with what Chromium reported).
 */
async function openSocket(name: string, url: string): Promise<void> {
  await app.evaluate(
    ([socketName, socketUrl]) =>
      new Promise<void>((resolve, reject) => {
        const registry = ((globalThis as unknown as { sockets?: Record<string, WebSocket> }).sockets ??= {});
        const socket = new WebSocket(socketUrl!);
        socket.binaryType = 'arraybuffer';
        registry[socketName!] = socket;
        socket.onopen = () => resolve();
        socket.onerror = () => reject(new Error(`WebSocket ${socketUrl} failed to open`));
      }),
    [name, url],
  );
}

/** Sends one message on a page socket and resolves with the echo, as text or byte array. */
function sendAndEcho(name: string, message: Outgoing): Promise<string | number[]> {
  return app.evaluate(
    ([socketName, outgoing]) =>
      new Promise<string | number[]>((resolve) => {
        const socket = (globalThis as unknown as { sockets: Record<string, WebSocket> }).sockets[socketName as string]!;
        socket.addEventListener('message', (event) => resolve(typeof event.data === 'string' ? event.data : [...new Uint8Array(event.data as ArrayBuffer)]), { once: true });
        const what = outgoing as Outgoing;
        socket.send('text' in what ? what.text : new Uint8Array(what.bytes));
      }),
    [name, message] as const,
  );
}

/** Closes a page socket with a code and reason, resolving when it is closed. */
function closeSocket(name: string, code: number, reason: string): Promise<void> {
  return app.evaluate(
    ([socketName, closeCode, closeReason]) =>
      new Promise<void>((resolve) => {
        const socket = (globalThis as unknown as { sockets: Record<string, WebSocket> }).sockets[socketName as string]!;
        socket.onclose = () => resolve();
        socket.close(closeCode as number, closeReason as string);
      }),
    [name, code, reason] as const,
  );
}

/**
 * Finds a stored exchange by the end of its URL, once history has written its closed record: the
 * row written when the connection opened (no close code yet) is replaced by the same id on close.
 */
async function stored(urlEnd: string): Promise<StoredExchange> {
  const api = setup.proxy.proxy.plugin('history')!.api!;
  let found: StoredExchange | undefined;
  await expect
    .poll(
      async () => {
        await api.flush();
        const row = (await api.listAsync({ limit: 50 })).find((summary) => summary.url.endsWith(urlEnd));
        found = row && (await api.getAsync(row.id));
        return found?.websocket?.closeCode !== undefined;
      },
      { timeout: 15_000 },
    )
    .toBe(true);
  return found!;
}

/** The data messages of a record as `[fromClient, opcode, payload]`, binary as byte arrays. */
const dataMessages = (messages: readonly WebSocketMessageRecord[]) =>
  messages.filter((m) => m.opcode === 1 || m.opcode === 2).map((m) => [m.fromClient, m.opcode, m.text ?? [...Buffer.from(m.base64 ?? '', 'base64')]]);

const row = (text: string) => view.locator('#rows .row', { hasText: text });
const messageRows = () => view.locator('#messages .message:not([hidden])');

const JSON_MESSAGE = JSON.stringify({ kind: 'greeting', text: 'hello over ws', seq: 1 });
const BYTES = [0, 1, 2, 127, 128, 255];

describe.skipIf(!available && !process.env.CI)('WebSocket capture in Chromium', () => {
  it('ws:// through capture: echoes come back, the Messages pane follows the open connection live, searches, and history has every message', async () => {
    expect(available, `Debian's chromium must be at ${CHROMIUM}`).toBe(true);
    await view.goto(`${setup.base}/?token=${setup.token}`);
    await view.locator('#live.on').waitFor();
    await app.goto(`http://127.0.0.1:${plainPort}/app`);
    await openSocket('plain', `ws://127.0.0.1:${plainPort}/chat?room=7`);

    // Listed while open, before any message, and opened in the detail pane.
    await row('/chat?room=7').waitFor();
    await expect.poll(() => row('/chat?room=7').locator('.flags').textContent()).toContain('open');
    await row('/chat?room=7').click();
    await view.locator('#messages .open-note').waitFor();
    expect(await view.locator('#detail .badge', { hasText: 'open' }).count()).toBe(1);
    expect(await view.locator('#messages .message').count()).toBe(0);

    // Each message and its echo appear without a reload.
    expect(await sendAndEcho('plain', { text: JSON_MESSAGE })).toBe(JSON_MESSAGE);
    await expect.poll(() => messageRows().count(), { timeout: 10_000 }).toBe(2);
    expect(await messageRows().locator('.direction').allTextContents()).toEqual(['→', '←']);
    expect(await messageRows().nth(0).locator('pre.json').textContent()).toBe(JSON.stringify(JSON.parse(JSON_MESSAGE), null, 2));
    expect(await sendAndEcho('plain', { bytes: BYTES })).toEqual(BYTES);
    await expect.poll(() => messageRows().count(), { timeout: 10_000 }).toBe(4);
    expect(await messageRows().nth(2).locator('pre.hex').textContent()).toBe('00 01 02 7f 80 ff');
    expect(await messageRows().nth(3).locator('.direction').textContent()).toBe('←');
    expect(await sendAndEcho('plain', { text: 'plain text, no JSON' })).toBe('plain text, no JSON');
    await expect.poll(() => messageRows().count(), { timeout: 10_000 }).toBe(6);
    expect(await messageRows().nth(4).locator('pre.text').textContent()).toBe('plain text, no JSON');
    expect(await view.locator('#messages summary').textContent()).toBe('Messages (6)');

    // Search within the messages: only the matches stay, and they say how many.
    await view.fill('#messages .message-search', 'GREETING');
    await expect.poll(() => messageRows().count()).toBe(2);
    expect(await view.locator('#messages .message-matches').textContent()).toBe('2 of 6 match');
    // A live message that does not match stays hidden; one that matches shows.
    expect(await sendAndEcho('plain', { text: '{"kind":"greeting","seq":2}' })).toBe('{"kind":"greeting","seq":2}');
    await expect.poll(() => view.locator('#messages .message').count(), { timeout: 10_000 }).toBe(8);
    expect(await messageRows().count()).toBe(4);
    expect(await view.locator('#messages .message-matches').textContent()).toBe('4 of 8 match');
    if (SCREENSHOT) {
      await view.fill('#messages .message-search', '');
      await view.locator('#messages .message-search').blur();
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      await view.locator('#messages').scrollIntoViewIfNeeded();
      await view.locator('#messages').screenshot({ path: SCREENSHOT });
      await view.fill('#messages .message-search', 'GREETING');
    }

    // Closing: the row and the pane say how it ended, the search is kept.
    await closeSocket('plain', 1000, 'bye');
    await expect.poll(() => view.locator('#messages .closed').textContent(), { timeout: 10_000 }).toBe('Closed by the client: 1000 bye');
    expect(await view.locator('#messages .open-note').count()).toBe(0);
    expect(await view.locator('#messages .message-search').inputValue()).toBe('GREETING');
    expect(await messageRows().count()).toBe(4);
    await expect.poll(() => row('/chat?room=7').locator('.flags').textContent()).not.toContain('open');
    expect(await row('/chat?room=7').locator('.status').textContent()).toBe('101');
    expect(await row('/chat?room=7').count()).toBe(1);

    // History (what `capture history show --json` prints) has every message both ways.
    const exchange = await stored('/chat?room=7');
    expect(exchange.request.url).toBe(`http://127.0.0.1:${plainPort}/chat?room=7`);
    expect(exchange.response?.statusCode).toBe(101);
    expect(exchange.websocket).toMatchObject({ closeCode: 1000, closeReason: 'bye', closedBy: 'client', droppedMessages: 0 });
    expect(dataMessages(exchange.websocket!.messages)).toEqual([
      [true, 1, JSON_MESSAGE],
      [false, 1, JSON_MESSAGE],
      [true, 2, BYTES],
      [false, 2, BYTES],
      [true, 1, 'plain text, no JSON'],
      [false, 1, 'plain text, no JSON'],
      [true, 1, '{"kind":"greeting","seq":2}'],
      [false, 1, '{"kind":"greeting","seq":2}'],
    ]);
    // The HAR export carries them as Chrome DevTools does.
    const har = JSON.parse(setup.proxy.proxy.plugin('history')!.api!.renderCounted('har', [exchange]).text) as { log: { entries: Array<{ _webSocketMessages?: Array<{ type: string; opcode: number; data: string }> }> } };
    const sent = har.log.entries[0]!._webSocketMessages!.filter((m) => m.opcode === 1 || m.opcode === 2);
    expect(sent.map((m) => m.type)).toEqual(['send', 'receive', 'send', 'receive', 'send', 'receive', 'send', 'receive']);
    expect(sent[0]!.data).toBe(JSON_MESSAGE);

    // Read back from history after a reload, the pane shows the same.
    await view.fill('#messages .message-search', '');
    await view.reload();
    await view.locator('#live.on').waitFor();
    await row('/chat?room=7').click();
    // The 8 data messages and both close frames.
    await expect.poll(() => view.locator('#messages .message').count()).toBe(10);
    expect(await view.locator('#messages .closed').textContent()).toBe('Closed by the client: 1000 bye');
    expect(pageErrors).toEqual([]);
  });

  it("wss:// through capture's interception, Chromium trusting capture's CA by its SPKI pin: echoes, history and the pane", async () => {
    await openSocket('secure', `wss://localhost:${tlsPort}/secure`);
    expect(await sendAndEcho('secure', { text: 'over TLS' })).toBe('over TLS');
    expect(await sendAndEcho('secure', { bytes: BYTES })).toEqual(BYTES);
    await closeSocket('secure', 4000, 'app done');
    const exchange = await stored('/secure');
    expect(exchange.request.url).toBe(`https://localhost:${tlsPort}/secure`);
    expect(exchange.tls).toBe(true);
    expect(exchange.websocket).toMatchObject({ closeCode: 4000, closeReason: 'app done', closedBy: 'client' });
    expect(dataMessages(exchange.websocket!.messages)).toEqual([
      [true, 1, 'over TLS'],
      [false, 1, 'over TLS'],
      [true, 2, BYTES],
      [false, 2, BYTES],
    ]);
    await row('/secure').click();
    await expect.poll(() => view.locator('#messages .message').count()).toBe(6);
    expect(await view.locator('#messages .message .direction').allTextContents()).toEqual(['→', '←', '→', '←', '→', '←']);
    expect(await row('/secure').count()).toBe(1);
    expect(await view.locator('#messages .message pre.hex').first().textContent()).toBe('00 01 02 7f 80 ff');
    expect(await view.locator('#detail .badge', { hasText: 'TLS' }).count()).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
