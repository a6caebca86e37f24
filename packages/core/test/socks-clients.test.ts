import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
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

async function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run('curl', ['-sS', '--max-time', '20', ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

/** Sends raw bytes to the proxy and resolves everything it answers, once it closed. */
function raw(port: number, bytes: number[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(Buffer.from(bytes)));
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

describe('SOCKS clients on the proxy port', () => {
  it.each([
    ['--socks5-hostname', 'localhost'],
    ['--socks5', 'localhost'],
    ['--socks4a', 'localhost'],
    ['--socks4', '127.0.0.1'],
  ])('captures plain HTTP from curl %s as any request', async (flag, host) => {
    origin = await startOrigin((req, res) => res.end(`plain ${req.url}`));
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const result = await curl([flag, `127.0.0.1:${proxy.port}`, `http://${host}:${origin.port}/via-socks?q=1`]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('plain /via-socks?q=1');
    const [exchange] = await exchanges.waitFor(1);
    // --socks5 resolves the name in curl: the recorded host is the address it sent.
    const recordedHost = flag === '--socks5' ? '(127\\.0\\.0\\.1|\\[::1\\])' : host.replace(/\./g, '\\.');
    expect(exchange!.request.url).toMatch(new RegExp(`^http://${recordedHost}:${origin.port}/via-socks\\?q=1$`));
    expect(exchange!.response?.statusCode).toBe(200);
  });

  it('gives a SOCKS CONNECT the onConnect path: TLS a tap terminates is captured as https', async () => {
    origin = await startOrigin((req, res) => res.end(`secure ${req.url}`), https.createServer({ cert, key }) as unknown as http.Server);
    proxy = await startProxy();
    proxy.proxy.setUpstreamTls({ ca: [cert] });
    const seen: string[] = [];
    proxy.proxy.hooks.onConnect.tap('terminate', (context) => {
      seen.push(`${context.request.method} ${context.hostname}:${context.port}`);
      const secure = new tls.TLSSocket(context.accept(), { isServer: true, cert, key });
      proxy!.proxy.handleConnection(secure, { secure: true, hostname: context.hostname, port: context.port, source: context.source });
      return true;
    });
    const exchanges = collectExchanges(proxy.proxy);
    const result = await curl(['--socks5-hostname', `127.0.0.1:${proxy.port}`, '--cacert', certPath, `https://localhost:${origin.port}/s`]);
    expect(result.stdout).toBe('secure /s');
    expect(seen).toEqual([`CONNECT localhost:${origin.port}`]);
    expect((await exchanges.waitFor(1))[0]!.request.url).toBe(`https://localhost:${origin.port}/s`);
  });

  it('tunnels what no tap takes blindly, recorded as a skipped CONNECT', async () => {
    origin = await startOrigin((req, res) => res.end('blind'), https.createServer({ cert, key }) as unknown as http.Server);
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const result = await curl(['--socks5-hostname', `127.0.0.1:${proxy.port}`, '--cacert', certPath, `https://localhost:${origin.port}/`]);
    expect(result.stdout).toBe('blind');
    const [exchange] = await exchanges.waitFor(1);
    expect(exchange!.request.method).toBe('CONNECT');
    expect(exchange!.skip?.reason).toBe('tunnelled blindly (TLS)');
  });

  it('authenticates SOCKS5 with the proxy auth and refuses wrong credentials and SOCKS4', async () => {
    origin = await startOrigin((req, res) => res.end('ok'));
    proxy = await startProxy({ auth: 'alice:s3cret' });
    const good = await curl(['--socks5-hostname', `alice:s3cret@127.0.0.1:${proxy.port}`, `http://localhost:${origin.port}/`]);
    expect(good.stdout).toBe('ok');
    const bad = await curl(['--socks5-hostname', `alice:nope@127.0.0.1:${proxy.port}`, `http://localhost:${origin.port}/`]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/authentication failed|User was rejected|SOCKS5/i);
    const none = await curl(['--socks5-hostname', `127.0.0.1:${proxy.port}`, `http://localhost:${origin.port}/`]);
    expect(none.code).not.toBe(0);
    const socks4 = await curl(['--socks4a', `127.0.0.1:${proxy.port}`, `http://localhost:${origin.port}/`]);
    expect(socks4.code).not.toBe(0);
    expect(socks4.stderr).toMatch(/SOCKS4/i);
  });

  it('refuses UDP ASSOCIATE and BIND with "command not supported", and answers a failed tunnel with a SOCKS failure', async () => {
    proxy = await startProxy();
    // Greeting (no auth), then UDP ASSOCIATE 0.0.0.0:0.
    expect([...(await raw(proxy.port, [5, 1, 0, 5, 3, 0, 1, 0, 0, 0, 0, 0, 0]))]).toEqual([5, 0, 5, 7, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect([...(await raw(proxy.port, [5, 1, 0, 5, 2, 0, 1, 127, 0, 0, 1, 0, 80]))]).toEqual([5, 0, 5, 7, 0, 1, 0, 0, 0, 0, 0, 0]);
    // SOCKS4 BIND.
    expect([...(await raw(proxy.port, [4, 2, 0, 80, 127, 0, 0, 1, 0]))]).toEqual([0, 0x5b, 0, 0, 0, 0, 0, 0]);
    // CONNECT to a closed port: connection refused (0x05).
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect([...(await raw(proxy.port, [5, 1, 0, 5, 1, 0, 1, 127, 0, 0, 1, port >> 8, port & 0xff]))]).toEqual([5, 0, 5, 5, 0, 1, 0, 0, 0, 0, 0, 0]);
  });

  it('closes bytes that only look like SOCKS (an incomplete greeting, a bad version) instead of waiting for headersTimeout', async () => {
    proxy = await startProxy();
    const started = performance.now();
    expect([...(await raw(proxy.port, [5, 9, 1]))]).toEqual([]);
    expect([...(await raw(proxy.port, [4, 7, 0, 80]))]).toEqual([0, 0x5b, 0, 0, 0, 0, 0, 0]);
    expect([...(await raw(proxy.port, [5, 1, 0, 9, 1, 0, 1]))]).toEqual([5, 0, 5, 1, 0, 1, 0, 0, 0, 0, 0, 0]);
    // headersTimeout is 30 s: each was closed within a couple of seconds.
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});
