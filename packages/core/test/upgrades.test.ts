import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { CaptureError } from '../src/index.js';
import { collectExchanges, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
let wss: WebSocketServer | undefined;

afterEach(async () => {
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
  await proxy?.close();
  await origin?.close();
  proxy = origin = wss = undefined;
});

/** Starts a `ws` origin that greets each connection. */
async function startWsOrigin(): Promise<TestOrigin> {
  const started = await startOrigin((_req, res) => res.end());
  wss = new WebSocketServer({ server: started.server });
  wss.on('connection', (socket) => socket.send('welcome'));
  return started;
}

/** Sends an absolute-form upgrade through the proxy; resolves with the answer and the socket (on 101). */
function upgrade(url: string): Promise<{ response: http.IncomingMessage; socket?: net.Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: proxy!.port,
      path: url,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') },
    });
    req.on('upgrade', (response, socket, head) => {
      if (head.length) socket.unshift(head);
      resolve({ response, socket });
    });
    req.on('response', (response) => resolve({ response }));
    req.on('error', reject);
    req.end();
  });
}

describe('upgrades as exchanges', () => {
  it('runs onResponse on the 101 and hands the connection to an onUpgraded tap, which completes the exchange', async () => {
    origin = await startWsOrigin();
    proxy = await startProxy();
    proxy.proxy.hooks.onResponse.tap('marker', ({ outgoing }) => void outgoing.headers.push(['X-Seen', 'yes']));
    const handed = new Promise<void>((resolve) => {
      proxy!.proxy.hooks.onUpgraded.tapPromise('relay', async (connection) => {
        expect(connection.exchange.response?.statusCode).toBe(101);
        // A minimal relay: the heads first, then splice; complete with a record once the client side closes.
        if (connection.upstreamHead.length) connection.client.write(connection.upstreamHead);
        if (connection.clientHead.length) connection.upstream.write(connection.clientHead);
        connection.upstream.pipe(connection.client);
        connection.client.pipe(connection.upstream);
        connection.client.on('close', () => connection.upstream.destroy());
        connection.client.on('close', () => connection.complete({ messages: [], closeCode: 1006, closedBy: 'client', droppedMessages: 0 }));
        resolve();
        return true;
      });
    });
    const exchanges = collectExchanges(proxy.proxy);
    const { response, socket } = await upgrade(`${origin.url}/ws`);
    expect(response.statusCode).toBe(101);
    expect(response.headers['x-seen']).toBe('yes');
    await handed;
    // The welcome frame arrives through the tap's relay.
    const [frame] = (await once(socket!, 'data')) as [Buffer];
    expect(frame.subarray(2).toString()).toBe('welcome');
    const completed = exchanges.next();
    socket!.destroy();
    const exchange = await completed;
    expect(exchange.websocket).toEqual({ messages: [], closeCode: 1006, closedBy: 'client', droppedMessages: 0 });
    expect(exchange.timings.total).toBeGreaterThanOrEqual(exchange.timings.firstByte!);
  });

  it('announces the open connection on onExchangeOpened before onUpgraded, with the id onExchange later carries', async () => {
    origin = await startWsOrigin();
    proxy = await startProxy();
    const order: string[] = [];
    const opened: Array<{ id: number; status: number | undefined; total: number }> = [];
    proxy.proxy.hooks.onExchangeOpened.tap('watch', (exchange) => {
      order.push('opened');
      opened.push({ id: exchange.id, status: exchange.response?.statusCode, total: exchange.timings.total });
    });
    proxy.proxy.hooks.onUpgraded.tap('watch', () => void order.push('upgraded'));
    const exchanges = collectExchanges(proxy.proxy);
    const { socket } = await upgrade(`${origin.url}/ws`);
    await once(socket!, 'data');
    expect(opened).toEqual([{ id: expect.any(Number), status: 101, total: 0 }]);
    const completed = exchanges.next();
    socket!.destroy();
    const exchange = await completed;
    expect(exchange.id).toBe(opened[0]!.id);
    expect(order).toEqual(['opened', 'upgraded']);
  });

  it('proxy.close() ends spliced upgraded connections at once and completes their exchanges first', async () => {
    origin = await startWsOrigin();
    // A long close timeout: closing must not wait for it.
    proxy = await startProxy({ closeTimeout: 30_000 });
    const exchanges = collectExchanges(proxy.proxy);
    const { socket } = await upgrade(`${origin.url}/ws`);
    await once(socket!, 'data');
    const completed = exchanges.next();
    const clientClosed = once(socket!, 'close');
    const started = performance.now();
    await proxy.proxy.close();
    expect(performance.now() - started).toBeLessThan(3_000);
    expect((await completed).response?.statusCode).toBe(101);
    await clientClosed;
  });

  it('does not announce skipped upgrades as opened', async () => {
    origin = await startWsOrigin();
    proxy = await startProxy();
    let opened = 0;
    proxy.proxy.hooks.onExchangeOpened.tap('watch', () => void opened++);
    proxy.proxy.hooks.onRequest.tap('filter', ({ exchange }) => void (exchange.skip = { reason: 'filtered', by: 'filter' }));
    const skipped = new Promise<void>((resolve) => proxy!.proxy.hooks.onSkipped.tap('watch', () => resolve()));
    const { response, socket } = await upgrade(`${origin.url}/ws`);
    expect(response.statusCode).toBe(101);
    await once(socket!, 'data');
    socket!.destroy();
    await skipped;
    expect(opened).toBe(0);
  });

  it('an onUpgraded tap that throws closes both sides and records PLUGIN_ERROR', async () => {
    origin = await startWsOrigin();
    proxy = await startProxy();
    const errors: CaptureError[] = [];
    proxy.proxy.hooks.onError.tap('test', (error) => void errors.push(error));
    proxy.proxy.hooks.onUpgraded.tapPromise('broken', async () => {
      throw new Error('relay exploded');
    });
    const exchanges = collectExchanges(proxy.proxy);
    const { socket } = await upgrade(`${origin.url}/ws`);
    const closed = once(socket!, 'close');
    socket!.resume();
    const exchange = await exchanges.next();
    await closed;
    expect(exchange.error).toMatchObject({ code: 'PLUGIN_ERROR' });
    expect(errors.map((error) => error.message).join()).toContain('relay exploded');
  });

  it('an onRequest tap that throws answers 502 without going upstream', async () => {
    let reached = false;
    origin = await startWsOrigin();
    wss!.on('connection', () => (reached = true));
    proxy = await startProxy();
    proxy.proxy.hooks.onRequest.tapPromise('broken', async () => {
      throw new Error('filter exploded');
    });
    const exchanges = collectExchanges(proxy.proxy);
    const { response } = await upgrade(`${origin.url}/ws`);
    expect(response.statusCode).toBe(502);
    response.resume();
    const exchange = await exchanges.next();
    expect(exchange).toMatchObject({ error: { code: 'PLUGIN_ERROR' }, response: { statusCode: 502 } });
    expect(reached).toBe(false);
  });
});
