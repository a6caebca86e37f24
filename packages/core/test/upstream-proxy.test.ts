import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { collectExchanges, requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';
import { startHttpUpstream, startSocksUpstream, type TestUpstreamProxy } from './helpers/upstream-proxies.js';

const cert = readFileSync(new URL('./fixtures/localhost.crt', import.meta.url), 'utf8');
const key = readFileSync(new URL('./fixtures/localhost.key', import.meta.url), 'utf8');

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
let upstream: TestUpstreamProxy | undefined;
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  await upstream?.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
  proxy = origin = upstream = undefined;
});

async function startHttpsOrigin(): Promise<TestOrigin> {
  return startOrigin((req, res) => res.end(`secure ${req.url}`), https.createServer({ cert, key }) as unknown as http.Server);
}

/** Opens a CONNECT tunnel through capture and runs TLS over it (verified against the fixture's certificate). */
async function connectTls(port: number, target: string, servername = 'localhost'): Promise<tls.TLSSocket> {
  const socket = net.connect(port, '127.0.0.1');
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\n`);
  const head = await new Promise<string>((resolve, reject) => {
    let text = '';
    socket.on('data', function onData(chunk: Buffer) {
      text += chunk.toString('latin1');
      if (text.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve(text);
      }
    });
    socket.once('error', reject);
  });
  if (!head.startsWith('HTTP/1.1 200')) throw new Error(head);
  const secure = tls.connect({ socket, servername, ca: cert });
  await new Promise<void>((resolve, reject) => {
    secure.once('secureConnect', resolve);
    secure.once('error', reject);
  });
  return secure;
}

describe('an authenticated HTTP upstream proxy (proxy-chain)', () => {
  it('relays plain HTTP in absolute form on one pooled keep-alive connection, credentials neither forwarded nor captured', async () => {
    origin = await startOrigin();
    upstream = await startHttpUpstream('alice', 's3cret');
    proxy = await startProxy({ upstreamProxy: `http://alice:s3cret@127.0.0.1:${upstream.port}` });
    const exchanges = collectExchanges(proxy.proxy);
    const requests = 20;
    for (let i = 0; i < requests; i++) {
      const response = await requestThroughProxy(proxy.port, `${origin.url}/item/${i}`);
      expect(response.status).toBe(200);
      const echoed = JSON.parse(response.text) as { url: string; rawHeaders: string[] };
      expect(echoed.url).toBe(`/item/${i}`);
      expect(echoed.rawHeaders.map((h) => h.toLowerCase())).not.toContain('proxy-authorization');
    }
    expect(upstream.requests).toEqual(Array.from({ length: requests }, (_, i) => `GET ${origin!.url}/item/${i}`));
    // Keep-alive through the upstream proxy: one connection from capture for all the requests.
    expect(upstream.connections).toBe(1);
    const all = await exchanges.waitFor(requests);
    expect(all[0]!.request.url).toBe(`${origin.url}/item/0`);
    expect(JSON.stringify(all)).not.toContain('s3cret');
    expect(JSON.stringify(all).toLowerCase()).not.toContain('proxy-authorization');
  });

  it('relays HTTPS through CONNECT on pooled connections', async () => {
    origin = await startHttpsOrigin();
    upstream = await startHttpUpstream('alice', 's3cret');
    proxy = await startProxy({ upstreamProxy: `http://alice:s3cret@127.0.0.1:${upstream.port}` });
    proxy.proxy.setUpstreamTls({ ca: [cert] });
    const exchanges = collectExchanges(proxy.proxy);
    for (let i = 0; i < 5; i++) {
      const response = await requestThroughProxy(proxy.port, `https://localhost:${origin.port}/s/${i}`);
      expect(response.text).toBe(`secure /s/${i}`);
    }
    expect(upstream.requests).toEqual([`CONNECT localhost:${origin.port}`]);
    expect(upstream.connections).toBe(1);
    expect((await exchanges.waitFor(5))[4]!.request.url).toBe(`https://localhost:${origin.port}/s/4`);
  });

  it('carries blind CONNECT tunnels through the upstream proxy', async () => {
    origin = await startHttpsOrigin();
    upstream = await startHttpUpstream('alice', 's3cret');
    proxy = await startProxy({ upstreamProxy: `http://alice:s3cret@127.0.0.1:${upstream.port}` });
    const exchanges = collectExchanges(proxy.proxy);
    const secure = await connectTls(proxy.port, `localhost:${origin.port}`);
    secure.write(`GET /tunnelled HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n`);
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      secure.on('data', (chunk: Buffer) => (text += chunk.toString()));
      secure.on('end', () => resolve(text));
    });
    expect(answer).toContain('secure /tunnelled');
    expect(upstream.requests).toEqual([`CONNECT localhost:${origin.port}`]);
    const [blind] = await exchanges.waitFor(1);
    expect(blind!.skip?.reason).toBe('tunnelled blindly (TLS)');
    expect(blind!.sizes.responseBody).toBeGreaterThan(0);
  });

  it('carries WebSocket upgrades through CONNECT', async () => {
    origin = await startOrigin();
    const wss = new WebSocketServer({ server: origin.server });
    wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`echo ${String(data)}`)));
    cleanups.push(() => void wss.close());
    upstream = await startHttpUpstream('alice', 's3cret');
    proxy = await startProxy({ upstreamProxy: `http://alice:s3cret@127.0.0.1:${upstream.port}` });
    const socket = await upgradeThroughProxy(proxy.port, `${origin.url}/ws`);
    // A masked text frame "hi"; the origin's echo comes back unmasked.
    const mask = Buffer.from([1, 2, 3, 4]);
    const payload = Buffer.from('hi');
    socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))]));
    const frame = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
    expect(frame.subarray(2).toString()).toBe('echo hi');
    socket.destroy();
    expect(upstream.requests).toEqual([`CONNECT 127.0.0.1:${origin.port}`]);
  });

  it('answers 502 with one line naming the upstream proxy, never its password, when the password is wrong', async () => {
    origin = await startOrigin();
    const secureOrigin = await startHttpsOrigin();
    cleanups.push(() => secureOrigin.close());
    upstream = await startHttpUpstream('alice', 's3cret');
    proxy = await startProxy({ upstreamProxy: `http://alice:wrong-pass@127.0.0.1:${upstream.port}` });
    proxy.proxy.setUpstreamTls({ ca: [cert] });
    const exchanges = collectExchanges(proxy.proxy);
    const expected = `upstream proxy http://127.0.0.1:${upstream.port} refused the credentials in its URL (407 Proxy Authentication Required)`;
    for (const url of [`${origin.url}/plain`, `https://localhost:${secureOrigin.port}/secure`]) {
      const response = await requestThroughProxy(proxy.port, url);
      expect(response.status).toBe(502);
      expect(response.text.trim()).toBe(`capture: ${expected}`);
      expect(response.text).not.toContain('wrong-pass');
    }
    const recorded = await exchanges.waitFor(2);
    for (const exchange of recorded) expect(exchange.error).toEqual({ code: 'UPSTREAM_PROXY_FAILED', message: expected });
    // A CONNECT tunnel: the same line, as the CONNECT's answer.
    const tunnel = await rawExchange(proxy.port, `CONNECT localhost:${secureOrigin.port} HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expect(tunnel).toMatch(/^HTTP\/1\.1 502 /);
    expect(tunnel).toContain(expected);
  });

  it('answers 502 naming the upstream proxy when it cannot be reached', async () => {
    origin = await startOrigin();
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    proxy = await startProxy({ upstreamProxy: `http://bob:pw@127.0.0.1:${port}` });
    const response = await requestThroughProxy(proxy.port, `${origin.url}/x`);
    expect(response.status).toBe(502);
    expect(response.text).toContain(`upstream proxy http://127.0.0.1:${port} cannot be reached (ECONNREFUSED)`);
    expect(response.text).not.toContain('pw');
  });

  it('speaks TLS to an https:// upstream proxy, verified with the upstream trust', async () => {
    origin = await startOrigin();
    const secureOrigin = await startHttpsOrigin();
    cleanups.push(() => secureOrigin.close());
    upstream = await startHttpUpstream('alice', 's3cret', { cert, key });
    proxy = await startProxy({ upstreamProxy: `https://alice:s3cret@localhost:${upstream.port}` });
    proxy.proxy.setUpstreamTls({ ca: [cert] });
    expect((await requestThroughProxy(proxy.port, `${origin.url}/p`)).status).toBe(200);
    expect((await requestThroughProxy(proxy.port, `https://localhost:${secureOrigin.port}/s`)).text).toBe('secure /s');
    expect(upstream.requests).toEqual([`GET ${origin.url}/p`, `CONNECT localhost:${secureOrigin.port}`]);
  });

  it('opens the connections plugins ask for (proxy.openUpstreamSocket) through the upstream proxy', async () => {
    origin = await startOrigin((req, res) => res.end(`raw ${req.url}`));
    upstream = await startHttpUpstream('alice', 's3cret');
    proxy = await startProxy({ upstreamProxy: `http://alice:s3cret@127.0.0.1:${upstream.port}` });
    const socket = await proxy.proxy.openUpstreamSocket('127.0.0.1', origin.port);
    socket.resume();
    socket.write('GET /probe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
    });
    expect(answer).toContain('raw /probe');
    expect(upstream.requests).toEqual([`CONNECT 127.0.0.1:${origin.port}`]);
  });

  it('reaches noProxy hosts directly', async () => {
    origin = await startOrigin();
    upstream = await startHttpUpstream('alice', 's3cret');
    proxy = await startProxy({ upstreamProxy: `http://alice:s3cret@127.0.0.1:${upstream.port}`, noProxy: '127.0.0.1' });
    expect((await requestThroughProxy(proxy.port, `${origin.url}/direct`)).status).toBe(200);
    expect(upstream.requests).toEqual([]);
    expect(upstream.connections).toBe(0);
  });

  /**
   * An h2-only origin with `originCert`/`originKey`, capture through an authenticated upstream
   * proxy trusting that certificate, and a client whose intercepted HTTP/1.1 `requests` go to
   * `host` (the https plugin reduced: TLS terminated with the fixture, the origin's h2 announced).
   */
  async function h2ThroughUpstream(originCert: string, originKey: string, host: string, requests: string): Promise<{ answer: string; h2Port: number; exchanges: ReturnType<typeof collectExchanges> }> {
    const h2 = http2.createSecureServer({ cert: originCert, key: originKey, allowHTTP1: false });
    h2.on('stream', (stream, headers) => {
      stream.respond({ ':status': 200 });
      stream.end(`h2 ${String(headers[':path'])}`);
    });
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    const h2Port = (h2.address() as net.AddressInfo).port;
    cleanups.push(() => new Promise<void>((resolve) => h2.close(() => resolve())));
    upstream = await startHttpUpstream('alice', 's3cret');
    proxy = await startProxy({ upstreamProxy: `http://alice:s3cret@127.0.0.1:${upstream.port}` });
    proxy.proxy.setUpstreamTls({ ca: [originCert] });
    proxy.proxy.hooks.onConnect.tap('terminate', (context) => {
      const secure = new tls.TLSSocket(context.accept(), { isServer: true, cert, key, ALPNProtocols: ['http/1.1'] });
      proxy!.proxy.handleConnection(secure, { secure: true, hostname: context.hostname, port: context.port, upstreamProtocol: 'h2' });
      return true;
    });
    const exchanges = collectExchanges(proxy.proxy);
    const secure = await connectTls(proxy.port, `${host}:${h2Port}`);
    secure.write(requests.replaceAll('HOST', `${host}:${h2Port}`));
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      secure.on('data', (chunk: Buffer) => (text += chunk.toString()));
      secure.on('end', () => resolve(text));
    });
    return { answer, h2Port, exchanges };
  }

  it('opens HTTP/2 sessions to origins that chose h2 through the upstream proxy', async () => {
    const { answer, h2Port, exchanges } = await h2ThroughUpstream(cert, key, 'localhost', 'GET /a HTTP/1.1\r\nHost: HOST\r\n\r\nGET /b HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n');
    expect(answer).toContain('h2 /a');
    expect(answer).toContain('h2 /b');
    const recorded = await exchanges.waitFor(2);
    expect(recorded.map((exchange) => exchange.response?.httpVersion)).toEqual(['2', '2']);
    // One session, opened through one CONNECT.
    expect(upstream!.requests).toEqual([`CONNECT localhost:${h2Port}`]);
  });

  it('verifies an h2 origin addressed by IP through the upstream proxy against that IP (TLS over the tunnel once checked "localhost")', async () => {
    const ipCert = readFileSync(new URL('./fixtures/ip-only.crt', import.meta.url), 'utf8');
    const ipKey = readFileSync(new URL('./fixtures/ip-only.key', import.meta.url), 'utf8');
    const { answer, h2Port, exchanges } = await h2ThroughUpstream(ipCert, ipKey, '127.0.0.1', 'GET /by-ip HTTP/1.1\r\nHost: HOST\r\nConnection: close\r\n\r\n');
    expect(answer).toContain('h2 /by-ip');
    const [recorded] = await exchanges.waitFor(1);
    expect(recorded!.error).toBeUndefined();
    expect(recorded!.response?.httpVersion).toBe('2');
    expect(upstream!.requests).toEqual([`CONNECT 127.0.0.1:${h2Port}`]);
  });
});

describe('a SOCKS5 upstream proxy', () => {
  it('relays plain HTTP and HTTPS with socks5h:// (names resolved by the proxy), pooled', async () => {
    origin = await startOrigin();
    const secureOrigin = await startHttpsOrigin();
    cleanups.push(() => secureOrigin.close());
    upstream = await startSocksUpstream('carol', 'pw1');
    proxy = await startProxy({ upstreamProxy: `socks5h://carol:pw1@127.0.0.1:${upstream.port}` });
    proxy.proxy.setUpstreamTls({ ca: [cert] });
    for (let i = 0; i < 3; i++) expect((await requestThroughProxy(proxy.port, `http://localhost:${origin.port}/p${i}`)).status).toBe(200);
    for (let i = 0; i < 3; i++) expect((await requestThroughProxy(proxy.port, `https://localhost:${secureOrigin.port}/s${i}`)).text).toBe(`secure /s${i}`);
    expect(upstream.requests).toEqual([`CONNECT localhost:${origin.port}`, `CONNECT localhost:${secureOrigin.port}`]);
    expect(upstream.connections).toBe(2);
  });

  it('carries WebSocket upgrades through the SOCKS proxy', async () => {
    origin = await startOrigin();
    const wss = new WebSocketServer({ server: origin.server });
    wss.on('connection', (ws) => ws.on('message', (data) => ws.send(`over socks ${String(data)}`)));
    cleanups.push(() => void wss.close());
    upstream = await startSocksUpstream('carol', 'pw1');
    proxy = await startProxy({ upstreamProxy: `socks5h://carol:pw1@127.0.0.1:${upstream.port}` });
    const socket = await upgradeThroughProxy(proxy.port, `${origin.url}/ws`);
    // A masked text frame "hi"; the origin's answer comes back unmasked.
    const mask = Buffer.from([1, 2, 3, 4]);
    socket.write(Buffer.concat([Buffer.from([0x81, 0x82]), mask, Buffer.from([...Buffer.from('hi')].map((b, i) => b ^ mask[i % 4]!))]));
    const frame = await new Promise<Buffer>((resolve) => socket.once('data', resolve));
    expect(frame.subarray(2).toString()).toBe('over socks hi');
    socket.destroy();
    expect(upstream.requests).toEqual([`CONNECT 127.0.0.1:${origin.port}`]);
  });

  it('resolves names itself with socks5://', async () => {
    origin = await startOrigin();
    upstream = await startSocksUpstream('carol', 'pw1');
    proxy = await startProxy({ upstreamProxy: `socks5://carol:pw1@127.0.0.1:${upstream.port}` });
    expect((await requestThroughProxy(proxy.port, `http://localhost:${origin.port}/r`)).status).toBe(200);
    expect(upstream.requests[0]).toMatch(new RegExp(`^CONNECT (127\\.0\\.0\\.1|::1):${origin.port}$`));
  });

  it('answers 502 naming the proxy when its credentials are refused', async () => {
    origin = await startOrigin();
    upstream = await startSocksUpstream('carol', 'pw1');
    proxy = await startProxy({ upstreamProxy: `socks5h://carol:nope@127.0.0.1:${upstream.port}` });
    const response = await requestThroughProxy(proxy.port, `${origin.url}/x`);
    expect(response.status).toBe(502);
    expect(response.text).toMatch(new RegExp(`^capture: upstream proxy socks5h://127\\.0\\.0\\.1:${upstream.port} failed to connect to 127\\.0\\.0\\.1:${origin.port}: .*auth`, 'i'));
    expect(response.text).not.toContain('nope');
  });
});

/** Sends raw bytes and reads until the peer closes or goes quiet after a head. */
function rawExchange(port: number, raw: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(raw));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
  });
}

/** A WebSocket handshake in absolute form through capture; resolves with the upgraded socket. */
function upgradeThroughProxy(port: number, url: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: url,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      agent: false,
    });
    req.on('upgrade', (_res, socket) => resolve(socket as net.Socket));
    req.on('response', (res) => reject(new Error(`status ${res.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}
