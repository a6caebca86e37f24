import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, runCliProcess, tempProject } from './helpers/cli-process.js';

// `capture ca install|uninstall|status` from @capture/plugin-os-certs, through the real CLI: the
// commands join the https plugin's `ca` group, get the CA through its API, and run certutil.

let project: ReturnType<typeof tempProject> | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

/** Fails with the command's own output when it did not exit 0. */
function expectOk(result: { code: number | null; stderr: string }): void {
  if (result.code !== 0) throw new Error(`capture exited ${result.code}: ${result.stderr}`);
}

const certPath = (dir: string) => path.join(dir, '.capture-home', 'proxy', 'capture-proxy-ca.crt');
const commonName = (file: string) => /CN=([^\n]+)/.exec(new X509Certificate(readFileSync(file)).subject)![1]!;

describe('capture ca install|uninstall|status', () => {
  it('joins the https plugin\'s ca group: one "capture ca" with both plugins\' subcommands', async () => {
    project = tempProject();
    const help = await runCliProcess(['ca', '--help'], { cwd: project.dir });
    expect(help.code).toBe(0);
    const commands = [...help.stdout.matchAll(/^ {2}(\w+)/gm)].map((match) => match[1]);
    expect(commands).toEqual(['path', 'show', 'export', 'regenerate', 'install', 'uninstall', 'status', 'help']);
    const install = await runCliProcess(['ca', 'install', '--help'], { cwd: project.dir });
    expect(install.stdout).toContain('--target <target>');
    expect(install.stdout).toContain('--dry-run');
    expect(install.stdout).toContain('--nss-db <dir>');
  });

  it('nss for real: install creates the CA and the database, status finds it, regenerate makes it stale, install replaces it, uninstall removes it', async () => {
    project = tempProject();
    const db = path.join(project.dir, 'nssdb');
    const run = (...args: string[]) => runCliProcess(['ca', ...args], { cwd: project!.dir });

    const installed = await run('install', '--target', 'nss', '--nss-db', db);
    expectOk(installed);
    const first = commonName(certPath(project.dir));
    expect(installed.stdout).toBe(`installed ${first} into the NSS database ${db}\n`);
    expect(execFileSync('certutil', ['-L', '-d', `sql:${db}`], { encoding: 'utf8' })).toMatch(new RegExp(`^${first}\\s+C,,`, 'm'));

    const status = await run('status', '--target', 'nss', '--nss-db', db);
    expectOk(status);
    const sha256 = new X509Certificate(readFileSync(certPath(project.dir))).fingerprint256;
    expect(status.stdout).toBe(`CA: ${first}  SHA-256 ${sha256}\n    ${certPath(project.dir)}\nnss  installed  ${db}\n`);

    expectOk(await run('regenerate', '--yes'));
    const second = commonName(certPath(project.dir));
    const stale = JSON.parse((await run('status', '--target', 'nss', '--nss-db', db, '--json')).stdout) as { stores: Array<{ state: string; stale: Array<{ commonName: string }> }> };
    expect(stale.stores).toMatchObject([{ state: 'stale', stale: [{ commonName: first }] }]);

    const replaced = await run('install', '--target', 'nss', '--nss-db', db);
    expectOk(replaced);
    const listed = execFileSync('certutil', ['-L', '-d', `sql:${db}`], { encoding: 'utf8' });
    expect(listed).toContain(second);
    expect(listed).not.toContain(first);
    expect((await run('status', '--target', 'nss', '--nss-db', db)).stdout).toContain(`nss  installed  ${db}\n`);

    const removed = await run('uninstall', '--target', 'nss', '--nss-db', db);
    expectOk(removed);
    expect((await run('status', '--target', 'nss', '--nss-db', db)).stdout).toContain(`nss  not installed  ${db}\n`);
    expect(execFileSync('certutil', ['-L', '-d', `sql:${db}`], { encoding: 'utf8' })).not.toContain('capture proxy CA');
  }, 120_000);

  it('--dry-run prints exactly the commands and changes nothing', async () => {
    project = tempProject();
    expectOk(await runCliProcess(['ca', 'path'], { cwd: project.dir }));
    const cert = certPath(project.dir);
    const debian = await runCliProcess(['ca', 'install', '--target', 'debian', '--dry-run'], { cwd: project.dir });
    expectOk(debian);
    expect(debian.stdout).toBe(`mkdir -p /usr/local/share/ca-certificates\ncp ${cert} /usr/local/share/ca-certificates/capture-proxy-ca.crt\nupdate-ca-certificates\n`);
    expect(debian.stderr).toMatch(/^would install capture proxy CA [0-9a-f]{8} into the Debian\/Ubuntu system store \(needs root\):$/m);
    const db = path.join(project.dir, 'db');
    const nss = await runCliProcess(['ca', 'install', '--target', 'nss', '--nss-db', db, '--dry-run'], { cwd: project.dir });
    expect(nss.stdout).toBe(`mkdir -p ${db}\ncertutil -N -d sql:${db} --empty-password\ncertutil -A -d sql:${db} -n '${commonName(cert)}' -t C,, -i ${cert}\n`);
    expect(existsSync(db)).toBe(false);
  });

  it('an unknown target exits 2 listing the valid ones', async () => {
    project = tempProject();
    const result = await runCliProcess(['ca', 'install', '--target', 'ubuntu'], { cwd: project.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("argument 'ubuntu' is invalid. Allowed choices are windows, macos, rhel, debian, nss, firefox, ios, android, android-emulator, ios-simulator.");
  });

  it('a system store without root: nothing changes and one line gives the sudo command to run', async () => {
    project = tempProject();
    // As root (CI), run the CLI as "nobody"; elsewhere the user is not root already.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    const home = path.join(project.dir, '.capture-home');
    // Private, as capture makes it: a folder open to others would add a warning line.
    mkdirSync(home, { mode: 0o700 });
    if ('uid' in asUser) chownRecursive(project.dir, 65534, 65534);
    const before = existsSync('/usr/local/share/ca-certificates/capture-proxy-ca.crt');
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [BIN, 'ca', 'install', '--target', 'debian'], { cwd: project!.dir, env: { ...process.env, CAPTURE_HOME: home, HOME: project!.dir, NO_COLOR: '1' }, ...asUser });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    const cert = certPath(project.dir);
    expect(result.code).toBe(1);
    expect(result.stderr.replace(/^created a new CA at .*\n/, '')).toBe(
      `capture: debian: to install ${commonName(cert)} into the Debian/Ubuntu system store capture needs root; nothing was changed. ` +
        `Run: sudo sh -c 'mkdir -p /usr/local/share/ca-certificates && cp ${cert} /usr/local/share/ca-certificates/capture-proxy-ca.crt && update-ca-certificates'\n`,
    );
    expect(existsSync('/usr/local/share/ca-certificates/capture-proxy-ca.crt')).toBe(before);
  });

  it('is offered with a config that lists the https plugin but not os-certs', async () => {
    project = tempProject({ 'capture.config.json': '{ "plugins": ["@capture/plugin-https"] }' });
    linkPackage(project.dir, 'plugin-https');
    const result = await runCliProcess(['ca', 'install', '--target', 'windows', '--dry-run'], { cwd: project.dir });
    expectOk(result);
    expect(result.stdout).toMatch(/^certutil (-user )?-f -addstore Root .*capture-proxy-ca\.crt\n$/);
  });
});

function chownRecursive(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isSymbolicLink()) continue;
    if (entry.isDirectory()) chownRecursive(full, uid, gid);
    else if (statSync(full).isFile()) chownSync(full, uid, gid);
  }
}

/** Links a workspace package into the temporary project, as a user's install would have it. */
function linkPackage(dir: string, name: string): void {
  execFileSync('ln', ['-s', path.resolve(BIN, '../../..', name), path.join(dir, 'node_modules', '@capture', name)]);
}
