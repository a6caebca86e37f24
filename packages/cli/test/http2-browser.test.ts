import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, runCliProcess, startCli, tempProject, type CliProcess } from './helpers/cli-process.js';
import { CHROMIUM, loadPage } from './helpers/chromium.js';
import { loopbackOnlyConfig } from './helpers/loopback-config.js';

// End to end with a real browser and HTTP/2: headless Chromium, trusting capture's CA through the
// NSS database `capture ca install --target nss` fills, loads a page from a local node:http2 origin
// through `capture start`. Both legs must be h2, and the history must say so.

const hasChromium = CHROMIUM !== undefined;

let project: ReturnType<typeof tempProject> | undefined;
let cli: CliProcess | undefined;
let origin: http2.Http2SecureServer | undefined;

afterEach(async () => {
  if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
  cli = undefined;
  if (origin) await new Promise<void>((resolve) => origin!.close(() => resolve()));
  origin = undefined;
  project?.cleanup();
  project = undefined;
});


/**
 * The test's config: HTTPS interception, history, and a plugin that answers every request for
 * another host itself, so the browser's background requests are never looked up or sent.
 */
const CONFIG = loopbackOnlyConfig([['https', '@capture/plugin-https'], ['history', '@capture/plugin-history']]);

interface ListedExchange {
  id: string | number;
  url: string;
  status: number | null;
  httpVersion: string;
  responseHttpVersion?: string;
}

describe.skipIf(!hasChromium)('Chromium over HTTP/2 through capture start', () => {
  it('loads a page from an h2 origin with h2 on both legs, recorded as httpVersion 2', async () => {
    project = tempProject({ 'capture.config.mjs': CONFIG });
    for (const name of ['plugin-https', 'plugin-history']) {
      symlinkSync(path.resolve(BIN, '../../..', name), path.join(project.dir, 'node_modules', '@capture', name), 'dir');
    }
    const home = path.join(project.dir, 'home');
    const keyFile = path.join(project.dir, 'origin-key.pem');
    const certFile = path.join(project.dir, 'origin.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-days', '2'], { stdio: 'ignore' });
    // What HTTP version the origin saw for each path: the upstream leg, seen from the far end.
    const seen = new Map<string, string>();
    origin = http2.createSecureServer({ key: readFileSync(keyFile), cert: readFileSync(certFile), allowHTTP1: true }, (req, res) => {
      seen.set(req.url, req.httpVersion);
      res.setHeader('content-type', 'text/html');
      res.end(`<html><body>origin saw ${req.url} over ${req.httpVersion}</body></html>`);
    });
    await new Promise<void>((resolve) => origin!.listen(0, '127.0.0.1', resolve));
    const originPort = (origin.address() as AddressInfo).port;

    const installed = await runCliProcess(['ca', 'install', '--target', 'nss'], { cwd: project.dir, env: { HOME: home } });
    expect(installed.code).toBe(0);
    // capture verifies the origin's self-signed certificate through NODE_EXTRA_CA_CERTS.
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--json'], { cwd: project.dir, env: { HOME: home, NODE_EXTRA_CA_CERTS: certFile } });
    const port = Number((await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 'stderr'))[1]);

    const page = await loadPage(home, path.join(project.dir, 'profile'), port, `https://localhost:${originPort}/h2-page`);
    expect(page.log).not.toMatch(/ERR_CERT|net_error -2\d\d\b/);
    expect(page.dom).toContain('origin saw /h2-page over 2.0');
    expect(seen.get('/h2-page')).toBe('2.0');

    // The live log line (--json) for the page: h2 from Chromium, h2 to the origin.
    const line = (await cli.waitFor(new RegExp(`^\\{.*"url":"https://localhost:${originPort}/h2-page".*\\}$`, 'm'), 'stdout'))[0];
    expect(JSON.parse(line)).toMatchObject({ status: 200, httpVersion: '2', upstreamHttpVersion: '2' });

    // The history has it too (its writer batches: ask again, a bounded number of times).
    let listed: ListedExchange | undefined;
    for (let round = 0; round < 30 && !listed; round++) {
      const list = await runCliProcess(['history', 'list', '--json'], { cwd: project.dir, env: { HOME: home } });
      expect(list.code).toBe(0);
      const entries = list.stdout.trim().startsWith('[') ? (JSON.parse(list.stdout) as ListedExchange[]) : list.stdout.trim().split('\n').filter(Boolean).map((row) => JSON.parse(row) as ListedExchange);
      listed = entries.find((entry) => entry.url === `https://localhost:${originPort}/h2-page`);
    }
    expect(listed).toMatchObject({ status: 200, httpVersion: '2' });
    expect(listed!.responseHttpVersion ?? listed!.httpVersion).toBe('2');
    const shown = await runCliProcess(['history', 'show', String(listed!.id), '--json'], { cwd: project.dir, env: { HOME: home } });
    expect(shown.code).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ request: { httpVersion: '2' }, response: { httpVersion: '2', statusCode: 200 } });
  }, 120_000);
});
