import http from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import type { UpstreamAddress } from '../src/index.js';
import { collectExchanges, requestThroughProxy, sendRawRequest, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';
import { localhostCert, localhostKey } from './helpers/fixtures.js';

const cert = localhostCert;
const key = localhostKey;

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
});

/** An origin counting the requests and upgrades it got (a refused connection never carries one: at most the TCP connect arrives). */
async function countingOrigin(): Promise<{ origin: TestOrigin; connections: () => number }> {
  let connections = 0;
  const server = http.createServer((_req, res) => {
    connections++;
    res.end('reached');
  });
  server.on('upgrade', (_req, socket: net.Socket) => {
    connections++;
    socket.end('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
  });
  return { origin: await startOrigin(() => undefined, server), connections: () => connections };
}

describe('onUpstreamAddress', () => {
  it('sees the address every direct connection really goes to, and a refusal answers 403 before the origin is reached', async () => {
    const counted = await countingOrigin();
    origin = counted.origin;
    proxy = await startProxy();
    const seen: UpstreamAddress[] = [];
    proxy.proxy.hooks.onUpstreamAddress.tap('guard', (address) => {
      seen.push(address);
      return address.port === origin!.port ? 'refused by the test guard' : undefined;
    });
    const exchanges = collectExchanges(proxy.proxy);
    // A name capture resolves itself (localhost), on each path: pooled request, tunnel, upgrade.
    const pooled = await requestThroughProxy(proxy.port, `http://localhost:${origin.port}/`);
    expect(pooled.status).toBe(403);
    expect(pooled.text).toContain('refused by the test guard');
    const literal = await requestThroughProxy(proxy.port, `http://127.0.0.1:${origin.port}/`);
    expect(literal.status).toBe(403);
    const tunnel = await sendRawRequest(proxy.port, `CONNECT localhost:${origin.port} HTTP/1.1\r\nHost: localhost:${origin.port}\r\n\r\n`);
    expect(tunnel).toMatch(/^HTTP\/1\.1 403 /);
    expect(tunnel).toContain('refused by the test guard');
    const upgrade = await sendRawRequest(
      proxy.port,
      `GET http://localhost:${origin.port}/ws HTTP/1.1\r\nHost: localhost:${origin.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    expect(upgrade).toMatch(/^HTTP\/1\.1 403 /);
    expect(counted.connections()).toBe(0);
    expect(seen.every((address) => address.address === '127.0.0.1' || address.address === '::1')).toBe(true);
    expect(seen.map((address) => address.hostname)).toEqual(expect.arrayContaining(['localhost', '127.0.0.1']));
    const recorded = await exchanges.waitFor(3);
    expect(recorded.filter((exchange) => exchange.error?.code === 'ADDRESS_REFUSED').length).toBeGreaterThanOrEqual(3);
  });

  it('lets everything else through unchanged', async () => {
    const counted = await countingOrigin();
    origin = counted.origin;
    proxy = await startProxy();
    proxy.proxy.hooks.onUpstreamAddress.tap('guard', () => undefined);
    expect((await requestThroughProxy(proxy.port, `http://localhost:${origin.port}/`)).text).toBe('reached');
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: proxy!.port, method: 'CONNECT', path: `localhost:${origin!.port}` });
      req.on('connect', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(200);
  });

  it('fails closed: a tap that throws refuses the connection', async () => {
    const counted = await countingOrigin();
    origin = counted.origin;
    proxy = await startProxy();
    proxy.proxy.hooks.onUpstreamAddress.tap('broken', () => {
      throw new Error('no answer');
    });
    expect((await requestThroughProxy(proxy.port, `http://localhost:${origin.port}/`)).status).toBe(403);
    expect(counted.connections()).toBe(0);
  });

  it('guards HTTP/2 sessions to origins too (the lookup the session connects with)', async () => {
    const h2 = http2.createSecureServer({ cert, key });
    let streams = 0;
    h2.on('stream', (stream) => {
      streams++;
      stream.respond({ ':status': 200 });
      stream.end('reached');
    });
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    const port = (h2.address() as net.AddressInfo).port;
    try {
      proxy = await startProxy();
      proxy.proxy.setUpstreamTls({ ca: [cert] });
      proxy.proxy.hooks.onUpstreamAddress.tap('guard', (address) => (address.port === port ? 'refused by the test guard' : undefined));
      // The https plugin's part, done by hand: terminate TLS, say the origin chose h2.
      proxy.proxy.hooks.onConnect.tap('terminate', (context) => {
        const secure = new tls.TLSSocket(context.accept(), { isServer: true, cert, key });
        proxy!.proxy.handleConnection(secure, { secure: true, hostname: context.hostname, port: context.port, upstreamProtocol: 'h2' });
        return true;
      });
      const answer = await new Promise<string>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port: proxy!.port, method: 'CONNECT', path: `localhost:${port}` });
        req.on('connect', (_res, raw) => {
          const secure = tls.connect({ socket: raw, servername: 'localhost', ca: cert }, () => secure.write(`GET / HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`));
          let text = '';
          secure.on('data', (chunk: Buffer) => (text += chunk.toString()));
          secure.on('end', () => resolve(text));
          secure.on('error', reject);
        });
        req.on('error', reject);
        req.end();
      });
      expect(answer).toMatch(/^HTTP\/1\.1 403 /);
      expect(answer).toContain('refused by the test guard');
      expect(streams).toBe(0);
    } finally {
      await new Promise<void>((resolve) => h2.close(() => resolve()));
    }
  });
});
