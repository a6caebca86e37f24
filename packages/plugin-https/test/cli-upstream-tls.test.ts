import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestOrigin } from '@capture/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { caPaths } from '../src/ca-files.js';
import { INSECURE_WARNING } from '../src/index.js';
import { killIfRunning, runCapture, startProxyProcess, type CaptureProcess } from './helpers/cli.js';
import { curlThroughProxy } from './helpers/curl.js';
import { tempDataDir } from './helpers/https-proxy.js';
import { selfSignedCertificate, startTlsOrigin } from './helpers/tls-origin.js';

// `capture start` as a user runs it, against a local HTTPS origin with a self-signed certificate.
let origin: TestOrigin;
let files: ReturnType<typeof tempDataDir>;
let originCaFile: string;
let capture: CaptureProcess | undefined;

beforeAll(async () => {
  files = tempDataDir();
  const certificate = selfSignedCertificate(['localhost']);
  originCaFile = path.join(files.dir, 'origin-ca.pem');
  writeFileSync(originCaFile, certificate.certPem);
  origin = await startTlsOrigin(certificate);
});

afterEach(async () => {
  await killIfRunning(capture);
  capture = undefined;
});

afterAll(async () => {
  await origin?.close();
  files?.remove();
});

/** Starts `capture start` with `args` (the web view left out: it is not what is tested). */
async function start(args: string[]) {
  const started = await startProxyProcess({}, ['--no-web', ...args]);
  capture = started;
  // The banner is printed once the proxy listens, ending with the plugins line.
  await started.waitFor(/^plugins: .*$/m);
  return started;
}

/** GETs `pathname` from the origin through the capture, trusting capture's CA. */
function get(started: CaptureProcess & { port: number }, pathname: string) {
  return curlThroughProxy(started.port, ['--cacert', caPaths(started.home).cert, '-w', '\\n%{http_code}', `https://localhost:${origin.port}${pathname}`]);
}

const status = (stdout: string) => Number(stdout.slice(stdout.lastIndexOf('\n') + 1));
const warnings = (stdout: string) => stdout.split('\n').filter((line) => line === INSECURE_WARNING).length;

describe('capture start and upstream TLS', () => {
  it('refuses a self-signed origin by default: 502 naming the certificate problem, no warning', async () => {
    const started = await start([]);
    const result = await get(started, '/default');
    expect(status(result.stdout)).toBe(502);
    expect(result.stdout).toMatch(/self[- ]signed certificate/);
    expect(warnings(started.stdout())).toBe(0);
  });

  it.each([['--insecure'], ['-k']])('accepts it with %s, and the banner warns in one line', async (flag) => {
    const started = await start([flag]);
    const result = await get(started, '/insecure');
    expect(status(result.stdout)).toBe(200);
    expect(JSON.parse(result.stdout.slice(0, result.stdout.lastIndexOf('\n')))).toMatchObject({ url: '/insecure' });
    expect(warnings(started.stdout())).toBe(1);
  });

  it('accepts it with --upstream-ca naming the origin’s CA, verification still on', async () => {
    const other = selfSignedCertificate(['other.test']);
    const otherFile = path.join(files.dir, 'other-ca.pem');
    writeFileSync(otherFile, other.certPem);
    // Repeatable: the origin's CA is the second file.
    const started = await start(['--upstream-ca', otherFile, '--upstream-ca', originCaFile]);
    const result = await get(started, '/trusted');
    expect(status(result.stdout)).toBe(200);
    expect(warnings(started.stdout())).toBe(0);
  });

  it('is still refused with --upstream-ca naming another CA', async () => {
    const other = selfSignedCertificate(['other.test']);
    const otherFile = path.join(files.dir, 'unrelated-ca.pem');
    writeFileSync(otherFile, other.certPem);
    const started = await start(['--upstream-ca', otherFile]);
    expect(status((await get(started, '/untrusted')).stdout)).toBe(502);
  });

  it('stops the start with one line naming a missing or non-PEM --upstream-ca file', async () => {
    const missing = path.join(files.dir, 'missing.pem');
    const notPem = path.join(files.dir, 'not-pem.txt');
    writeFileSync(notPem, 'just text\n');
    for (const [file, problem] of [
      [missing, 'cannot read it (ENOENT)'],
      [notPem, 'holds no PEM certificate'],
    ] as const) {
      const result = await runCapture(['start', '--port', '0', '--host', '127.0.0.1', '--no-web', '--upstream-ca', file]);
      expect(result.code).toBe(1);
      expect(result.stdout).not.toContain('listening on');
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`upstream CA file ${file}`);
      expect(lines[0]).toContain(problem);
    }
  });
});
