import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseOsRelease } from '../src/os-release.js';
import { runCa, statusRows } from './helpers/commands.js';
import { realCa, tempDir } from './helpers/env.js';

// The firefox target for real: profiles (cert9.db made by certutil) in a temporary home.

let folder: ReturnType<typeof tempDir>;
beforeEach(() => {
  folder = tempDir();
});
afterEach(() => folder.cleanup());

function profile(home: string, name: string): string {
  const dir = path.join(home, '.mozilla', 'firefox', name);
  mkdirSync(dir, { recursive: true });
  execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
  return dir;
}

describe('capture ca install --target firefox (real certutil, temporary profiles)', () => {
  it('installs into every profile, says to restart a running Firefox, and status lists each profile', async () => {
    const home = path.join(folder.dir, 'home');
    const running = profile(home, 'a1b2.default-release');
    const idle = profile(home, 'c3d4.work');
    mkdirSync(path.join(home, '.mozilla', 'firefox', 'Crash Reports'), { recursive: true });
    // A live Firefox holds this lock (ip:+pid): this test's process stands in for it.
    symlinkSync(`127.0.0.1:+${process.pid}`, path.join(running, 'lock'));
    const dataDir = path.join(folder.dir, 'data');
    const ca = await realCa(dataDir);
    const setup = { dataDir, host: { home, root: path.join(folder.dir, 'root'), osRelease: async () => parseOsRelease('ID=debian\n') } };

    const installed = await runCa('install', { target: 'firefox' }, setup);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toBe(`installed ${ca.commonName} into 2 Firefox profiles\n`);
    expect(installed.stderr).toContain('Firefox is running (a1b2.default-release): restart it so it reads the change');

    // Without --target, status shows the system store and every browser store found.
    const rows = await statusRows({}, setup);
    expect(rows.map((row) => [row.target, row.location, row.state])).toEqual([
      ['debian', path.join(folder.dir, 'root/etc/ssl/certs/ca-certificates.crt'), 'not installed'],
      ['firefox', running, 'installed'],
      ['firefox', idle, 'installed'],
    ]);
    expect(rows[1]!.inUse).toBe('Firefox is running with this profile');

    const removed = await runCa('uninstall', { target: 'firefox' }, setup);
    expect(removed.stdout).toBe(`removed ${ca.commonName} from 2 Firefox profiles\n`);
    expect((await statusRows({ target: 'firefox' }, setup)).map((row) => row.state)).toEqual(['not installed', 'not installed']);
  });

  it('a stale lock from a crashed Firefox does not count as running', async () => {
    const home = path.join(folder.dir, 'home');
    const dir = profile(home, 'x.default');
    symlinkSync('127.0.0.1:+999999999', path.join(dir, 'lock'));
    const dataDir = path.join(folder.dir, 'data');
    await realCa(dataDir);
    const installed = await runCa('install', { target: 'firefox' }, { dataDir, host: { home } });
    expect(installed.stderr).not.toContain('restart');
  });
});
