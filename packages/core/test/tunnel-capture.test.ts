import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { ProxyAgent, fetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { collectExchanges, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

const cert = readFileSync(new URL('./fixtures/localhost.crt', import.meta.url));
const key = readFileSync(new URL('./fixtures/localhost.key', import.meta.url));

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
let agent: ProxyAgent | undefined;
const servers: net.Server[] = [];

afterEach(async () => {
  await agent?.close();
  await proxy?.close();
  await origin?.close();
  for (const server of servers.splice(0)) await new Promise<void>((resolve) => server.close(() => resolve()));
  agent = undefined;
  proxy = undefined;
  origin = undefined;
});

/** Opens a CONNECT tunnel through the proxy; resolves with the socket once it is established. */
function connectThrough(proxyPort: number, authority: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: authority });
    req.on('connect', (_res, socket: net.Socket, head) => {
      if (head.length) socket.unshift(head);
      resolve(socket);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('plain HTTP inside CONNECT', () => {
  it("is captured like any request when undici's ProxyAgent tunnels an http:// URL", async () => {
    origin = await startOrigin();
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    agent = new ProxyAgent(proxy.url);
    for (const path of ['/first', '/second?x=1']) {
      const response = await fetch(`${origin.url}${path}`, { dispatcher: agent, method: 'POST', body: `body of ${path}` });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { url: string }).url).toBe(path);
    }
    const captured = await exchanges.waitFor(2);
    expect(captured.map((exchange) => [exchange.request.method, exchange.request.url, exchange.skip])).toEqual([
      ['POST', `${origin.url}/first`, undefined],
      ['POST', `${origin.url}/second?x=1`, undefined],
    ]);
    expect(captured[0]!.request.body?.bytes.toString()).toBe('body of /first');
    expect(captured[0]!.source).toBe('127.0.0.1');
    expect(captured[0]!.tls).toBe(false);
  });

  it('cleartext HTTP/2 with prior knowledge is served as h2 and captured stream by stream (to an HTTP/1.1 origin)', async () => {
    origin = await startOrigin();
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const socket = await connectThrough(proxy.port, new URL(origin.url).host);
    const session = http2.connect(origin.url, { createConnection: () => socket });
    try {
      const get = (path: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const stream = session.request({ ':path': path });
          let status = 0;
          let body = '';
          stream.on('response', (headers) => (status = Number(headers[':status'])));
          stream.setEncoding('utf8');
          stream.on('data', (chunk: string) => (body += chunk));
          stream.on('end', () => resolve({ status, body }));
          stream.on('error', reject);
          stream.end();
        });
      const answers = await Promise.all([get('/h2c/one'), get('/h2c/two')]);
      expect(answers.map((answer) => [answer.status, (JSON.parse(answer.body) as { url: string }).url])).toEqual([
        [200, '/h2c/one'],
        [200, '/h2c/two'],
      ]);
    } finally {
      session.close();
    }
    const captured = await exchanges.waitFor(2);
    expect(captured.map((exchange) => exchange.request.url).sort()).toEqual([`${origin.url}/h2c/one`, `${origin.url}/h2c/two`]);
    for (const exchange of captured) {
      expect([exchange.request.httpVersion, exchange.response?.httpVersion, exchange.tls, exchange.skip]).toEqual(['2', '1.1', false, undefined]);
    }
  });

  it('is captured too when an onConnect tap accepted the socket, read from it and left it to ctx.tunnel', async () => {
    origin = await startOrigin();
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    proxy.proxy.hooks.onConnect.tap('peeker', (context) => {
      const socket = context.accept();
      socket.once('data', (chunk: Buffer) => {
        socket.pause();
        socket.unshift(chunk);
        context.tunnel(socket);
      });
      return true;
    });
    agent = new ProxyAgent(proxy.url);
    const response = await fetch(`${origin.url}/peeked`, { dispatcher: agent });
    expect(response.status).toBe(200);
    await response.arrayBuffer();
    expect((await exchanges.next()).request.url).toBe(`${origin.url}/peeked`);
  });
});

describe('blind tunnels', () => {
  it('carry TLS untouched and are completed as one skipped exchange saying so', async () => {
    origin = await startOrigin((_req, res) => res.end('secret over tls'), https.createServer({ cert, key }) as unknown as http.Server);
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const socket = await connectThrough(proxy.port, `127.0.0.1:${origin.port}`);
    const text = await new Promise<string>((resolve, reject) => {
      const req = https.request({ path: '/', createConnection: () => tls.connect({ socket, ca: cert, servername: 'localhost' }) });
      req.on('response', (res) => {
        let data = '';
        res.on('data', (chunk: Buffer) => (data += chunk.toString()));
        res.on('end', () => resolve(data));
      });
      req.on('error', reject);
      req.end();
    });
    expect(text).toBe('secret over tls');
    socket.destroy();
    const exchange = await exchanges.next();
    expect(exchange.request.method).toBe('CONNECT');
    expect(exchange.request.url).toBe(`127.0.0.1:${origin.port}`);
    expect(exchange.skip).toEqual({ reason: 'tunnelled blindly (TLS)', by: 'proxy' });
    expect(exchange.sizes.requestBody).toBeGreaterThan(0);
    expect(exchange.sizes.responseBody).toBeGreaterThan(0);
  });

  it('let a server that speaks first greet the client', async () => {
    const greeter = net.createServer((socket) => socket.end('220 hello\r\n'));
    servers.push(greeter);
    await new Promise<void>((resolve) => greeter.listen(0, '127.0.0.1', resolve));
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const socket = await connectThrough(proxy.port, `127.0.0.1:${(greeter.address() as net.AddressInfo).port}`);
    const greeting = await new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
    });
    expect(greeting).toBe('220 hello\r\n');
    expect((await exchanges.next()).skip?.reason).toBe('tunnelled blindly (the server spoke first)');
  });
});
