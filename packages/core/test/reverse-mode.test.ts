import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { collectExchanges, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

const run = promisify(execFile);
const certPath = fileURLToPath(new URL('./fixtures/localhost.crt', import.meta.url));
const cert = readFileSync(certPath, 'utf8');
const key = readFileSync(new URL('./fixtures/localhost.key', import.meta.url), 'utf8');

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
});

/** Answers with the Host it got, a redirect and a cookie for the origin's own name, as a real origin would. */
function handler(req: http.IncomingMessage, res: http.ServerResponse): void {
  res.setHeader('Set-Cookie', 'sid=1; Domain=localhost; Path=/');
  if (req.url === '/go') {
    res.writeHead(302, { Location: `${(req.socket as tls.TLSSocket).encrypted ? 'https' : 'http'}://localhost:${(req.socket.address() as { port: number }).port}/there` });
    return void res.end();
  }
  res.end(`host=${req.headers.host} url=${req.url}`);
}

async function curl(args: string[]): Promise<string> {
  const { stdout } = await run('curl', ['-sS', '--max-time', '20', '-D', '-', ...args]);
  return stdout;
}

/** What the https plugin does with a CONNECT, reduced: TLS terminated with the fixture's localhost certificate. */
function terminateTls(test: TestProxy): void {
  test.proxy.hooks.onConnect.tap('terminate', (context) => {
    const secure = new tls.TLSSocket(context.accept(), { isServer: true, cert, key });
    test.proxy.handleConnection(secure, { secure: true, hostname: context.hostname, port: context.port, source: context.source });
    return true;
  });
}

describe('reverse mode', () => {
  it('forwards origin-form requests to an HTTP origin, Host rewritten, recorded with the origin URL, redirects and cookies left as sent', async () => {
    origin = await startOrigin(handler);
    proxy = await startProxy({ reverse: `http://localhost:${origin.port}` });
    expect(proxy.proxy.mode).toEqual({ kind: 'reverse', reverse: `http://localhost:${origin.port}`, description: `reverse proxy for http://localhost:${origin.port}` });
    const exchanges = collectExchanges(proxy.proxy);
    const answer = await curl([`http://127.0.0.1:${proxy.port}/a?b=1`]);
    expect(answer).toContain(`host=localhost:${origin.port} url=/a?b=1`);
    expect(answer).toContain('Set-Cookie: sid=1; Domain=localhost; Path=/');
    const redirect = await curl([`http://127.0.0.1:${proxy.port}/go`]);
    expect(redirect).toContain(`Location: http://localhost:${origin.port}/there`);
    const [first] = await exchanges.waitFor(2);
    expect(first!.request.url).toBe(`http://localhost:${origin.port}/a?b=1`);
  });

  it('keeps the client Host with keepHost', async () => {
    origin = await startOrigin(handler);
    proxy = await startProxy({ reverse: `http://localhost:${origin.port}`, keepHost: true });
    expect(await curl([`http://127.0.0.1:${proxy.port}/k`])).toContain(`host=127.0.0.1:${proxy.port} url=/k`);
  });

  it('forwards to an HTTPS origin over verified TLS', async () => {
    origin = await startOrigin(handler, https.createServer({ cert, key }) as unknown as http.Server);
    proxy = await startProxy({ reverse: `https://localhost:${origin.port}` });
    proxy.proxy.setUpstreamTls({ ca: [cert] });
    const exchanges = collectExchanges(proxy.proxy);
    expect(await curl([`http://127.0.0.1:${proxy.port}/s`])).toContain(`host=localhost:${origin.port} url=/s`);
    const [exchange] = await exchanges.waitFor(1);
    expect(exchange!.request.url).toBe(`https://localhost:${origin.port}/s`);
    expect(exchange!.tls).toBe(false);
  });

  it('with reverseTls serves HTTPS on the same port through onConnect, HTTP still served', async () => {
    origin = await startOrigin(handler, https.createServer({ cert, key }) as unknown as http.Server);
    proxy = await startProxy({ reverse: `https://localhost:${origin.port}`, reverseTls: true });
    proxy.proxy.setUpstreamTls({ ca: [cert] });
    terminateTls(proxy);
    const exchanges = collectExchanges(proxy.proxy);
    expect(await curl(['--cacert', certPath, `https://localhost:${proxy.port}/tls`])).toContain(`host=localhost:${origin.port} url=/tls`);
    expect(await curl([`http://127.0.0.1:${proxy.port}/plain`])).toContain(`host=localhost:${origin.port} url=/plain`);
    const [secure, plain] = await exchanges.waitFor(2);
    expect(secure!.request.url).toBe(`https://localhost:${origin.port}/tls`);
    expect(secure!.tls).toBe(true);
    expect(plain!.request.url).toBe(`https://localhost:${origin.port}/plain`);
  });

  it('with reverseTls in front of an HTTP origin: TLS from the client, plain HTTP to the origin, recorded with its http URL', async () => {
    origin = await startOrigin(handler);
    proxy = await startProxy({ reverse: `http://localhost:${origin.port}`, reverseTls: true });
    terminateTls(proxy);
    const exchanges = collectExchanges(proxy.proxy);
    expect(await curl(['--cacert', certPath, `https://localhost:${proxy.port}/x`])).toContain(`host=localhost:${origin.port} url=/x`);
    const [exchange] = await exchanges.waitFor(1);
    expect(exchange!.request.url).toBe(`http://localhost:${origin.port}/x`);
    expect(exchange!.tls).toBe(true);
  });

  it('forwards WebSocket upgrades in origin form to the origin', async () => {
    origin = await startOrigin(handler);
    const wss = new WebSocketServer({ server: origin.server });
    wss.on('connection', (ws, req) => ws.send(`hello ${req.url} host=${req.headers.host}`));
    proxy = await startProxy({ reverse: `http://localhost:${origin.port}` });
    const exchanges = collectExchanges(proxy.proxy);
    const ws = new WebSocket(`ws://127.0.0.1:${proxy.port}/live`);
    const message = await new Promise<string>((resolve, reject) => {
      ws.once('message', (data) => resolve(String(data)));
      ws.once('error', reject);
    });
    expect(message).toBe(`hello /live host=localhost:${origin.port}`);
    ws.close();
    const [exchange] = await exchanges.waitFor(1);
    expect(exchange!.request.url).toBe(`http://localhost:${origin.port}/live`);
    expect(exchange!.response?.statusCode).toBe(101);
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });

  it('refuses a reverse origin with a path', async () => {
    await expect(startProxy({ reverse: 'https://api.example.com/v1' })).rejects.toThrow(/option "reverse": expected an origin/);
  });
});
