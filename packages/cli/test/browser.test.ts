import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess, startCli, tempProject, type CliProcess } from './helpers/cli-process.js';
import { jsonLog, startHttpsOrigin, type HttpsOrigin } from './helpers/https-origin.js';

// capture browser with Debian's Chromium, headless, loading a local HTTPS page with subresources.
// The profile goes into a TMPDIR of the test's own, so its removal can be checked.

let project: ReturnType<typeof tempProject>;
let origin: HttpsOrigin;
let tmp: string;
const running: CliProcess[] = [];
const CHROMIUM = '/usr/bin/chromium';
const hasChromium = (() => {
  try {
    execFileSync(CHROMIUM, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

beforeAll(async () => {
  project = tempProject();
  origin = await startHttpsOrigin(project.dir);
  tmp = path.join(project.dir, 'tmp');
  mkdirSync(tmp);
});

afterAll(async () => {
  for (const cli of running) if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGTERM');
  await Promise.all(running.map((cli) => cli.exited));
  await origin?.close();
  project?.cleanup();
});

const env = () => ({ NODE_EXTRA_CA_CERTS: origin.certFile, TMPDIR: tmp });
const SUBRESOURCES = ['/page', '/style.css', '/app.js', '/pixel.png'];

describe.skipIf(!hasChromium)('capture browser (Chromium)', () => {
  it('--headless URL loads the page and its subresources through capture, trusted by the CA pin, then closes both', async () => {
    const url = `https://localhost:${origin.port}/page`;
    const result = await runCliProcess(['browser', '--browser', 'chromium', '--headless', '--no-web', '--json', url], { cwd: project.dir, env: env() });
    expect(result.code).toBe(0);
    // --dump-dom: the DOM after the script ran, so the page really loaded.
    expect(result.stdout).toContain('<title>loaded by script</title>');
    const local = jsonLog(result.stderr).filter((entry) => entry.url.startsWith(`https://localhost:${origin.port}/`));
    for (const resource of SUBRESOURCES) {
      expect(local.find((entry) => entry.url.endsWith(resource)), resource).toMatchObject({ status: 200, tls: true, error: null });
    }
    expect(result.stderr).not.toMatch(/ERR_CERT_|net::ERR_/);
    expect(result.stderr).toMatch(/captured \d+ exchanges from chromium/);
    // The temporary profile is gone.
    expect(readdirSync(tmp).filter((name) => name.startsWith('capture-browser-'))).toEqual([]);
  });

  it('--attach joins a running capture instead of starting one', async () => {
    const capture = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--no-web', '--json'], { cwd: project.dir, env: env() });
    running.push(capture);
    const port = (await capture.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 'stderr'))[1]!;
    const url = `https://localhost:${origin.port}/page?attached`;
    const result = await runCliProcess(['browser', '--attach', '--port', port, '--headless', url], { cwd: project.dir, env: env() });
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain('listening on');
    await capture.waitFor(new RegExp(`"url":"https://localhost:${origin.port}/page\\?attached","status":200`), 'stdout');
  });
});

describe('capture browser (Firefox profile)', () => {
  it('writes user.js proxy prefs and an NSS store trusting the CA (os-certs’ plan), starts Firefox on that profile, then removes it', async () => {
    // Debian's firefox-esr is not installed here: a stand-in "firefox" records what it was given.
    const out = path.join(project.dir, 'firefox-saw');
    mkdirSync(out, { recursive: true });
    const fake = path.join(project.dir, 'bin', 'firefox');
    mkdirSync(path.dirname(fake), { recursive: true });
    writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > "${out}/args"\ncp "$2/user.js" "${out}/user.js"\ncertutil -L -d "sql:$2" > "${out}/certs" 2>&1\nexit 3\n`);
    chmodSync(fake, 0o755);
    const url = `https://localhost:${origin.port}/page`;
    const result = await runCliProcess(['browser', '--browser', fake, '--headless', '--no-web', url], { cwd: project.dir, env: env() });
    expect(result.code).toBe(3);
    const args = readFileSync(path.join(out, 'args'), 'utf8').trim().split('\n');
    const profile = args[1]!;
    expect(args).toEqual(['-profile', profile, '-no-remote', '-new-instance', '-headless', '--screenshot', path.join(profile, 'page.png'), url]);
    expect(path.dirname(profile)).toBe(tmp);
    const prefs = readFileSync(path.join(out, 'user.js'), 'utf8');
    const port = /user_pref\("network\.proxy\.http_port", (\d+)\);/.exec(prefs)?.[1];
    expect(Number(port)).toBeGreaterThan(0);
    for (const line of ['user_pref("network.proxy.type", 1);', 'user_pref("network.proxy.http", "127.0.0.1");', `user_pref("network.proxy.ssl_port", ${port});`, 'user_pref("network.proxy.allow_hijacking_localhost", true);']) {
      expect(prefs).toContain(line);
    }
    const ca = (await runCliProcess(['ca', 'show'], { cwd: project.dir })).stdout;
    const commonName = /CN=(capture proxy CA [0-9a-f]+)/.exec(ca)![1]!;
    expect(readFileSync(path.join(out, 'certs'), 'utf8')).toMatch(new RegExp(`${commonName}\\s+C,,`));
    expect(readdirSync(tmp).filter((name) => name.startsWith('capture-browser-'))).toEqual([]);
  });

  it('a browser that is not installed is one clear error', async () => {
    const result = await runCliProcess(['browser', '--browser', 'edge', '--no-web'], { cwd: project.dir, env: { ...env(), PATH: '/nonexistent' } });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('capture: no edge found (looked for microsoft-edge, microsoft-edge-stable); name one with --browser PATH');
  });
});
