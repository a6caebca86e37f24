import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, runCliProcess, startCli, tempProject, type CliProcess } from './helpers/cli-process.js';
import { CHROMIUM, loadPage } from './helpers/chromium.js';
import { loopbackOnlyConfig } from './helpers/loopback-config.js';

// End to end with a real browser: headless Chromium trusts capture only once
// `capture ca install --target nss` put the CA into the NSS database of its HOME.
// `.ci/run` installs Debian's chromium; without it (and outside CI) the test is skipped.

const required = Boolean(process.env.CI);

let project: ReturnType<typeof tempProject> | undefined;
let cli: CliProcess | undefined;
let origin: https.Server | undefined;

afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
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
 * The test's config: the HTTPS plugin, and a plugin that answers every request for another host
 * itself, so the browser's background requests (updates, sign-in) are never looked up or sent.
 */
const CONFIG = loopbackOnlyConfig([['https', '@capture/plugin-https']]);

describe.skipIf(!CHROMIUM && !required)('a real browser trusts capture after capture ca install --target nss', () => {
  it('Chromium loads an HTTPS page through capture without a certificate error, and fails the same way without the install', async () => {
    expect(CHROMIUM, 'chromium must be installed (Debian package "chromium")').toBeDefined();
    project = tempProject({ 'capture.config.mjs': CONFIG });
    symlinkSync(path.resolve(BIN, '../../..', 'plugin-https'), path.join(project.dir, 'node_modules', '@capture', 'plugin-https'), 'dir');
    const home = path.join(project.dir, 'home');
    const keyFile = path.join(project.dir, 'origin-key.pem');
    const certFile = path.join(project.dir, 'origin.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-days', '2'], { stdio: 'ignore' });
    origin = https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
      res.setHeader('Content-Type', 'text/html');
      res.end(`<html><body>origin saw ${req.url}</body></html>`);
    });
    await new Promise<void>((resolve) => origin!.listen(0, '127.0.0.1', resolve));
    const originPort = (origin.address() as AddressInfo).port;

    // capture verifies the origin's self-signed certificate through NODE_EXTRA_CA_CERTS.
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1'], { cwd: project.dir, env: { HOME: home, NODE_EXTRA_CA_CERTS: certFile } });
    const port = Number((await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);

    const before = await loadPage(home, path.join(project.dir, 'profile-before'), port, `https://localhost:${originPort}/before`);
    expect(before.dom).not.toContain('origin saw');
    // Chromium names the error (older builds) or logs its number: -202 is ERR_CERT_AUTHORITY_INVALID.
    expect(before.log).toMatch(/net::ERR_CERT_AUTHORITY_INVALID|net_error -202\b/);
    await cli.waitFor(/rejected capture's certificate for localhost/, 'stderr');

    const installed = await runCliProcess(['ca', 'install', '--target', 'nss'], { cwd: project.dir, env: { HOME: home } });
    expect(installed.code).toBe(0);
    expect(installed.stdout).toContain(`into the NSS database ${path.join(home, '.pki', 'nssdb')}`);

    const after = await loadPage(home, path.join(project.dir, 'profile-after'), port, `https://localhost:${originPort}/after`);
    expect(after.log).not.toMatch(/ERR_CERT|net_error -2\d\d\b/);
    expect(after.dom).toContain('origin saw /after');
    await cli.waitFor(new RegExp(`GET 200 https://localhost:${originPort}/after`));
    // Nothing else was forwarded: every other host was answered by the config's plugin.
    expect(cli.stdout()).not.toMatch(/UPSTREAM|ENOTFOUND/);
  });
});
