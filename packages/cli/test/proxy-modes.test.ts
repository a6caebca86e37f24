import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess, startCli, tempProject, type CliProcess } from './helpers/cli-process.js';
import { startHttpsOrigin, type HttpsOrigin } from './helpers/https-origin.js';

let project: ReturnType<typeof tempProject> | undefined;
let cli: CliProcess | undefined;
let origin: HttpsOrigin | undefined;
let plain: http.Server | undefined;
let upstream: TestUpstreamProxy | undefined;
/** The upstream proxies core's tests start (proxy-chain, a SOCKS5 server), shared rather than copied. */
interface TestUpstreamProxy {
  port: number;
  readonly requests: string[];
  close(): Promise<void>;
}
// A path TypeScript does not follow: the helper lives outside this package's rootDir; vitest loads it.
const upstreamHelpers = new URL('../../core/test/helpers/upstream-proxies.ts', import.meta.url).href;
const { startHttpUpstream, startSocksUpstream } = (await import(upstreamHelpers)) as {
  startHttpUpstream(user: string, pass: string): Promise<TestUpstreamProxy>;
  startSocksUpstream(user: string, pass: string): Promise<TestUpstreamProxy>;
};
const fixture = (name: string) => fileURLToPath(new URL(`../../core/test/fixtures/${name}`, import.meta.url));

afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
  await origin?.close();
  if (plain) await new Promise<void>((resolve) => plain!.close(() => resolve()));
  await upstream?.close();
  project?.cleanup();
  cli = origin = plain = upstream = project = undefined;
});

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '20', ...args], { env: { ...process.env, NO_PROXY: '', no_proxy: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function startPlainOrigin(): Promise<number> {
  plain = http.createServer((req, res) => res.end(`plain saw ${req.url} host=${req.headers.host}\n`));
  await new Promise<void>((resolve) => plain!.listen(0, '127.0.0.1', resolve));
  return (plain.address() as AddressInfo).port;
}

/** Starts `capture start` with `args`, trusting the HTTPS origin; resolves with its port and CA path. */
async function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ port: number; ca: string }> {
  cli = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--no-web', ...args], { cwd: project!.dir, env: { NODE_EXTRA_CA_CERTS: origin!.certFile, ...env } });
  const port = Number((await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
  const ca = (await runCliProcess(['ca', 'path'], { cwd: project!.dir })).stdout.trim();
  return { port, ca };
}

describe('capture start in proxy modes', () => {
  it('--upstream-proxy with credentials: HTTP and intercepted HTTPS relayed and captured, the password nowhere', async () => {
    project = tempProject();
    origin = await startHttpsOrigin(project.dir);
    const plainPort = await startPlainOrigin();
    upstream = await startHttpUpstream('alice', 's3cret');
    const { port, ca } = await start(['--upstream-proxy', `http://alice:s3cret@127.0.0.1:${upstream.port}`]);
    await cli!.waitFor(new RegExp(`mode: forward proxy via upstream proxy http://127\\.0\\.0\\.1:${upstream.port}\\n`));
    const secure = await curl(['-x', `http://127.0.0.1:${port}`, '--cacert', ca, `https://localhost:${origin.port}/secure`]);
    expect(secure.stdout).toBe('origin saw /secure\n');
    expect((await curl(['-x', `http://127.0.0.1:${port}`, `http://127.0.0.1:${plainPort}/plain`])).stdout).toBe(`plain saw /plain host=127.0.0.1:${plainPort}\n`);
    // The https plugin's ALPN question goes through the upstream proxy too, and its connection
    // carries the exchange: one CONNECT per new origin.
    expect(upstream.requests).toEqual([`CONNECT localhost:${origin.port}`, `GET http://127.0.0.1:${plainPort}/plain`]);
    await cli!.waitFor(new RegExp(`GET 200 http://127\\.0\\.0\\.1:${plainPort}/plain`));
    const history = await runCliProcess(['history', 'list', '--json'], { cwd: project.dir });
    expect(history.stdout).toContain(`https://localhost:${origin.port}/secure`);
    for (const text of [history.stdout, cli!.stdout(), cli!.stderr()]) expect(text).not.toContain('s3cret');
    // The first test of the file also creates the project's CA (RSA in pure JS), which took most of
    // the default 30 s when the CI machine was saturated.
  }, 90_000);

  it('--upstream-proxy with a wrong password answers 502 with one line naming the proxy', async () => {
    project = tempProject();
    origin = await startHttpsOrigin(project.dir);
    upstream = await startHttpUpstream('alice', 's3cret');
    const { port, ca } = await start(['--upstream-proxy', `http://alice:wrong@127.0.0.1:${upstream.port}`]);
    const result = await curl(['-x', `http://127.0.0.1:${port}`, '--cacert', ca, '-w', '%{http_code}', `https://localhost:${origin.port}/x`]);
    expect(result.stdout).toBe(`capture: upstream proxy http://127.0.0.1:${upstream.port} refused the credentials in its URL (407 Proxy Authentication Required)\n502`);
  });

  it('--upstream-proxy env takes HTTP_PROXY and NO_PROXY from capture\'s environment', async () => {
    project = tempProject();
    origin = await startHttpsOrigin(project.dir);
    const plainPort = await startPlainOrigin();
    upstream = await startHttpUpstream('alice', 's3cret');
    const { port } = await start(['--upstream-proxy', 'env'], { HTTP_PROXY: `http://alice:s3cret@127.0.0.1:${upstream.port}`, NO_PROXY: 'localhost' });
    await cli!.waitFor(new RegExp(`mode: forward proxy via upstream proxy http://127\\.0\\.0\\.1:${upstream.port} for http\\n`));
    expect((await curl(['-x', `http://127.0.0.1:${port}`, `http://127.0.0.1:${plainPort}/env`])).stdout).toContain('plain saw /env');
    expect((await curl(['-x', `http://127.0.0.1:${port}`, `http://localhost:${plainPort}/direct`])).stdout).toContain('plain saw /direct');
    expect(upstream.requests).toEqual([`GET http://127.0.0.1:${plainPort}/env`]);
  });

  it('--upstream-proxy socks5h:// relays intercepted HTTPS', async () => {
    project = tempProject();
    origin = await startHttpsOrigin(project.dir);
    upstream = await startSocksUpstream('carol', 'pw1');
    const { port, ca } = await start(['--upstream-proxy', `socks5h://carol:pw1@127.0.0.1:${upstream.port}`]);
    expect((await curl(['-x', `http://127.0.0.1:${port}`, '--cacert', ca, `https://localhost:${origin.port}/s`])).stdout).toBe('origin saw /s\n');
    expect(upstream.requests).toContain(`CONNECT localhost:${origin.port}`);
  });

  it('SOCKS clients: curl --socks5-hostname and --socks5, plain and HTTPS, intercepted and captured', async () => {
    project = tempProject();
    origin = await startHttpsOrigin(project.dir);
    const plainPort = await startPlainOrigin();
    const { port, ca } = await start([]);
    await cli!.waitFor(/mode: forward proxy\n/);
    for (const flag of ['--socks5-hostname', '--socks5']) {
      const secure = await curl([flag, `127.0.0.1:${port}`, '--cacert', ca, `https://localhost:${origin.port}/socks${flag}`]);
      expect(secure.stderr).toBe('');
      expect(secure.stdout).toBe(`origin saw /socks${flag}\n`);
      expect((await curl([flag, `127.0.0.1:${port}`, `http://127.0.0.1:${plainPort}/p${flag}`])).stdout).toContain(`plain saw /p${flag}`);
    }
    await cli!.waitFor(new RegExp(`GET 200 https://localhost:${origin.port}/socks--socks5-hostname`));
    await cli!.waitFor(new RegExp(`GET 200 http://127\\.0\\.0\\.1:${plainPort}/p--socks5\\b`));
  });

  it('--reverse an HTTPS origin with --reverse-tls: HTTPS and HTTP on capture\'s port, captured with the origin URL', async () => {
    project = tempProject();
    origin = await startHttpsOrigin(project.dir);
    const { port, ca } = await start(['--reverse', `https://localhost:${origin.port}`, '--reverse-tls']);
    await cli!.waitFor(new RegExp(`mode: reverse proxy for https://localhost:${origin.port} \\(HTTP and HTTPS\\)`));
    const secure = await curl(['--cacert', ca, `https://localhost:${port}/over-tls`]);
    expect(secure.stderr).toBe('');
    expect(secure.stdout).toBe('origin saw /over-tls\n');
    expect((await curl([`http://127.0.0.1:${port}/over-http`])).stdout).toBe('origin saw /over-http\n');
    await cli!.waitFor(new RegExp(`GET 200 https://localhost:${origin.port}/over-tls`));
    await cli!.waitFor(new RegExp(`GET 200 https://localhost:${origin.port}/over-http`));
  });

  it('--reverse an HTTP origin with --keep-host', async () => {
    project = tempProject();
    origin = await startHttpsOrigin(project.dir);
    const plainPort = await startPlainOrigin();
    const { port } = await start(['--reverse', `http://127.0.0.1:${plainPort}`, '--keep-host']);
    await cli!.waitFor(new RegExp(`mode: reverse proxy for http://127\\.0\\.0\\.1:${plainPort}\\n`));
    expect((await curl([`http://127.0.0.1:${port}/k`])).stdout).toBe(`plain saw /k host=127.0.0.1:${port}\n`);
    await cli!.waitFor(new RegExp(`GET 200 http://127\\.0\\.0\\.1:${plainPort}/k`));
  });

  it('--client-cert HOST=FILE presents a PKCS#12 certificate to an mTLS origin; a wrong passphrase stops the start naming the file', async () => {
    project = tempProject();
    const mtls = https.createServer({ cert: readFileSync(fixture('localhost.crt')), key: readFileSync(fixture('localhost.key')), ca: readFileSync(fixture('client-ca.crt')), requestCert: true, rejectUnauthorized: true }, (req, res) =>
      res.end(`hello ${(req.socket as tls.TLSSocket).getPeerCertificate().subject.CN}\n`),
    );
    plain = mtls as unknown as http.Server;
    await new Promise<void>((resolve) => mtls.listen(0, '127.0.0.1', resolve));
    const mtlsPort = (mtls.address() as AddressInfo).port;
    const args = ['start', '--port', '0', '--host', '127.0.0.1', '--no-web', '--client-cert', `localhost=${fixture('client.p12')}`];
    const wrong = await runCliProcess(args, { cwd: project.dir, env: { CAPTURE_CLIENT_CERT_PASSPHRASE: 'nope' } });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toBe(`capture: client certificate ${fixture('client.p12')}: wrong passphrase\n`);
    cli = startCli(args, { cwd: project.dir, env: { NODE_EXTRA_CA_CERTS: fixture('localhost.crt'), CAPTURE_CLIENT_CERT_PASSPHRASE: 'letmein' } });
    const port = Number((await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const ca = (await runCliProcess(['ca', 'path'], { cwd: project.dir })).stdout.trim();
    expect((await curl(['-x', `http://127.0.0.1:${port}`, '--cacert', ca, `https://localhost:${mtlsPort}/`])).stdout).toBe('hello capture test client\n');
  });
});
