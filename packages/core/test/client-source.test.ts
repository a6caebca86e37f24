import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { toStoredExchange } from '../src/record/index.js';
import { collectExchanges, requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;

afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
});

const basic = (credentials: string) => `Basic ${Buffer.from(credentials).toString('base64')}`;

/** What the echo origin saw, as lower-case header names. */
function seenHeaderNames(text: string): string[] {
  const { rawHeaders } = JSON.parse(text) as { rawHeaders: string[] };
  return rawHeaders.filter((_, i) => i % 2 === 0).map((name) => name.toLowerCase());
}

describe('exchange source', () => {
  it("is the client's address by default, also in the stored record", async () => {
    origin = await startOrigin();
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    await requestThroughProxy(proxy.port, `${origin.url}/plain`);
    const exchange = await exchanges.next();
    expect(exchange.source).toBe('127.0.0.1');
    expect(toStoredExchange(exchange).source).toBe('127.0.0.1');
  });

  it('comes from credentials registered with addClientSource, which are consumed and count as authentication', async () => {
    origin = await startOrigin();
    proxy = await startProxy({ auth: 'alice:s3cret' });
    const exchanges = collectExchanges(proxy.proxy);
    const remove = proxy.proxy.addClientSource('run', 'k3y', 'run:npm');
    const tagged = await requestThroughProxy(proxy.port, `${origin.url}/tagged`, { headers: { 'Proxy-Authorization': basic('run:k3y') } });
    expect(tagged.status).toBe(200);
    expect(seenHeaderNames(tagged.text)).not.toContain('proxy-authorization');
    const exchange = await exchanges.next();
    expect(exchange.source).toBe('run:npm');
    expect(exchange.request.headers.map(([name]) => name.toLowerCase())).not.toContain('proxy-authorization');
    expect(toStoredExchange(exchange).source).toBe('run:npm');

    const configured = await requestThroughProxy(proxy.port, `${origin.url}/alice`, { headers: { 'Proxy-Authorization': basic('alice:s3cret') } });
    expect(configured.status).toBe(200);
    expect((await exchanges.next()).source).toBe('127.0.0.1');

    remove();
    const removed = await requestThroughProxy(proxy.port, `${origin.url}/tagged`, { headers: { 'Proxy-Authorization': basic('run:k3y') } });
    expect(removed.status).toBe(407);
  });

  it('is known to onConnect taps and inherited by the connection they hand over', async () => {
    origin = await startOrigin();
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    proxy.proxy.addClientSource('run', 'k3y', 'run:curl');
    const seen: string[] = [];
    proxy.proxy.hooks.onConnect.tap('handover', (context) => {
      seen.push(context.source);
      proxy!.proxy.handleConnection(context.accept(), { secure: false, hostname: context.hostname, port: context.port, source: context.source });
      return true;
    });
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: proxy!.port,
        method: 'CONNECT',
        path: `127.0.0.1:${origin!.port}`,
        headers: { 'Proxy-Authorization': basic('run:k3y') },
      });
      req.on('connect', (_res, connected, head) => {
        if (head.length) connected.unshift(head);
        resolve(connected);
      });
      req.on('error', reject);
      req.end();
    });
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', path: '/inside', createConnection: () => socket });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });
    socket.destroy();
    expect(status).toBe(200);
    expect(seen).toEqual(['run:curl']);
    const exchange = await exchanges.next();
    expect(exchange.request.url).toContain('/inside');
    expect(exchange.source).toBe('run:curl');
  });
});
