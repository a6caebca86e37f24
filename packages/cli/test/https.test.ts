import { execFile, execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess, startCli, tempProject, type CliProcess } from './helpers/cli-process.js';

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

/** A local HTTPS origin with a self-signed certificate for localhost, made with the openssl command. */
async function startSelfSignedOrigin(dir: string): Promise<{ port: number; certFile: string }> {
  const keyFile = path.join(dir, 'origin-key.pem');
  const certFile = path.join(dir, 'origin.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-days', '2'], { stdio: 'ignore' });
  origin = https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
    req.resume();
    res.end(`origin saw ${req.url}\n`);
  });
  await new Promise<void>((resolve) => origin!.listen(0, '127.0.0.1', resolve));
  return { port: (origin.address() as AddressInfo).port, certFile };
}

function curl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '15', ...args], { env: { ...process.env, NO_PROXY: '', no_proxy: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('capture with the HTTPS plugin', () => {
  it('capture ca path|show|export|regenerate manage the CA in the data folder', async () => {
    project = tempProject();
    const home = path.join(project.dir, '.capture-home');
    const first = await runCliProcess(['ca', 'path'], { cwd: project.dir });
    expect(first.code).toBe(0);
    const certPath = path.join(home, 'proxy', 'capture-proxy-ca.crt');
    expect(first.stdout).toBe(`${certPath}\n`);
    expect(statSync(path.join(home, 'proxy', 'capture-proxy-ca.key')).mode & 0o777).toBe(0o600);
    const fingerprint = new X509Certificate(readFileSync(certPath)).fingerprint256;

    const show = await runCliProcess(['ca', 'show'], { cwd: project.dir });
    expect(show.stdout).toContain(`SHA-256:     ${fingerprint}`);
    expect(show.stdout).toMatch(/subject: +CN=capture proxy CA [0-9a-f]{8}/);
    expect(show.stdout).toContain(`certificate: ${certPath}`);

    const derFile = path.join(project.dir, 'ca.cer');
    expect((await runCliProcess(['ca', 'export', '--format', 'der', '-o', derFile], { cwd: project.dir })).code).toBe(0);
    expect(new X509Certificate(readFileSync(derFile)).fingerprint256).toBe(fingerprint);
    const pem = await runCliProcess(['ca', 'export'], { cwd: project.dir });
    expect(pem.stdout).toBe(readFileSync(certPath, 'utf8'));
    expect((await runCliProcess(['ca', 'export', '--format', 'p7b'], { cwd: project.dir })).code).toBe(2);

    // No terminal to ask on and no --yes: refused, the CA left alone.
    const refused = await runCliProcess(['ca', 'regenerate'], { cwd: project.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/add --yes to confirm/);
    expect(new X509Certificate(readFileSync(certPath)).fingerprint256).toBe(fingerprint);

    const regenerated = await runCliProcess(['ca', 'regenerate', '--yes'], { cwd: project.dir });
    expect(regenerated.code).toBe(0);
    expect(regenerated.stdout).toMatch(/must install the new one/);
    expect(new X509Certificate(readFileSync(certPath)).fingerprint256).not.toBe(fingerprint);
  });

  it('capture start intercepts HTTPS: curl --cacert "$(capture ca path)" through it works and is captured', async () => {
    project = tempProject();
    const target = await startSelfSignedOrigin(project.dir);
    // The proxy verifies upstream TLS; Node's NODE_EXTRA_CA_CERTS is one way to trust a local origin.
    const env = { NODE_EXTRA_CA_CERTS: target.certFile };
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1'], { cwd: project.dir, env });
    const port = Number((await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    expect((await cli.waitFor(/CA certificate: (\S+)/))[1]).toBe(`http://127.0.0.1:${port}/ca`);
    const caPath = (await runCliProcess(['ca', 'path'], { cwd: project.dir })).stdout.trim();
    const result = await curl(['-x', `http://127.0.0.1:${port}`, '--cacert', caPath, `https://localhost:${target.port}/secret`]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('origin saw /secret\n');
    await cli.waitFor(new RegExp(`GET 200 https://localhost:${target.port}/secret`));
  });

  it('capture ca regenerate --yes under a running capture: it signs with and serves the new CA at once, no restart', async () => {
    project = tempProject();
    const target = await startSelfSignedOrigin(project.dir);
    const env = { NODE_EXTRA_CA_CERTS: target.certFile };
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1'], { cwd: project.dir, env });
    const port = Number((await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const caPath = (await runCliProcess(['ca', 'path'], { cwd: project.dir })).stdout.trim();
    const oldPem = readFileSync(caPath, 'utf8');
    const before = await curl(['-x', `http://127.0.0.1:${port}`, '--cacert', caPath, `https://localhost:${target.port}/before`]);
    expect(before.stdout).toBe('origin saw /before\n');

    const regenerated = await runCliProcess(['ca', 'regenerate', '--yes'], { cwd: project.dir });
    expect(regenerated.code).toBe(0);
    const newPath = (await runCliProcess(['ca', 'path'], { cwd: project.dir })).stdout.trim();
    const newPem = readFileSync(newPath, 'utf8');
    expect(newPem).not.toBe(oldPem);

    // Right away, as a user would: the certificate of the host seen before comes from the new CA.
    const after = await curl(['-x', `http://127.0.0.1:${port}`, '--cacert', newPath, `https://localhost:${target.port}/after`]);
    expect(after.stderr).toBe('');
    expect(after.stdout).toBe('origin saw /after\n');
    // The old CA no longer verifies it.
    const oldFile = path.join(project.dir, 'old-ca.pem');
    writeFileSync(oldFile, oldPem);
    const stale = await curl(['-x', `http://127.0.0.1:${port}`, '--cacert', oldFile, `https://localhost:${target.port}/stale`]);
    expect(stale.code).not.toBe(0);
    // The download page serves the new CA.
    const page = await curl([`http://127.0.0.1:${port}/ca.pem`]);
    expect(page.stdout.trim()).toBe(newPem.trim());
  });

  it('capture start --no-https tunnels CONNECT blindly: the client sees the origin’s own certificate', async () => {
    project = tempProject();
    const target = await startSelfSignedOrigin(project.dir);
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--no-https'], { cwd: project.dir });
    const port = Number((await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    const plugins = (await cli.waitFor(/plugins: (.*)/))[1]!;
    expect(plugins).not.toContain('https');
    const result = await curl(['-x', `http://127.0.0.1:${port}`, '--cacert', target.certFile, `https://localhost:${target.port}/blind`]);
    expect(result.stdout).toBe('origin saw /blind\n');
  });
});
