import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDataDir, ensureDataDirSync, resolveDataDir } from './data-dir.js';

describe('resolveDataDir', () => {
  const home = '/home/ada';
  it('uses XDG_CONFIG_HOME on Linux, else ~/.config', () => {
    expect(resolveDataDir({ env: { XDG_CONFIG_HOME: '/xdg' }, platform: 'linux', homedir: home })).toBe('/xdg/capture');
    expect(resolveDataDir({ env: {}, platform: 'linux', homedir: home })).toBe('/home/ada/.config/capture');
  });
  it('uses Application Support on macOS and APPDATA on Windows', () => {
    expect(resolveDataDir({ env: {}, platform: 'darwin', homedir: '/Users/ada' })).toBe('/Users/ada/Library/Application Support/capture');
    expect(resolveDataDir({ env: { APPDATA: 'C:\\Users\\ada\\AppData\\Roaming' }, platform: 'win32', homedir: 'C:\\Users\\ada' })).toBe(
      'C:\\Users\\ada\\AppData\\Roaming\\capture',
    );
  });
  it('prefers the dataDir key, then CAPTURE_HOME', () => {
    const env = { CAPTURE_HOME: '/from-env', XDG_CONFIG_HOME: '/xdg' };
    expect(resolveDataDir({ dataDir: '/from-config', env, platform: 'linux', homedir: home })).toBe('/from-config');
    expect(resolveDataDir({ env, platform: 'linux', homedir: home })).toBe('/from-env');
    expect(resolveDataDir({ dataDir: 'rel', env, platform: 'linux', homedir: home, cwd: '/project' })).toBe('/project/rel');
  });
});

describe.skipIf(process.platform === 'win32')('ensureDataDir', () => {
  const roots: string[] = [];
  const scratch = () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'capture-datadir-'));
    roots.push(root);
    return root;
  };
  afterEach(() => {
    for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
  });
  const mode = (dir: string) => statSync(dir).mode & 0o777;

  it('creates the folder and its parents, the folder itself 0700', async () => {
    const dir = path.join(scratch(), 'config', 'capture');
    expect(await ensureDataDir(dir)).toEqual({ dir, created: true });
    expect(mode(dir)).toBe(0o700);
    const syncDir = path.join(scratch(), 'sync', 'capture');
    expect(ensureDataDirSync(syncDir)).toEqual({ dir: syncDir, created: true });
    expect(mode(syncDir)).toBe(0o700);
  });

  it('warns once about an existing folder other users can access, and leaves its mode alone', async () => {
    const dir = path.join(scratch(), 'capture');
    mkdirSync(dir);
    chmodSync(dir, 0o755);
    const first = await ensureDataDir(dir);
    expect(first.created).toBe(false);
    expect(first.warning).toContain('accessible to other users (mode 0755)');
    expect(first.warning).toContain(dir);
    expect((await ensureDataDir(dir)).warning).toBeUndefined();
    expect(ensureDataDirSync(dir).warning).toBeUndefined();
    expect(mode(dir)).toBe(0o755);
  });

  it('says nothing about an existing private folder', async () => {
    const dir = path.join(scratch(), 'capture');
    mkdirSync(dir, { mode: 0o700 });
    expect(await ensureDataDir(dir)).toEqual({ dir, created: false });
  });

  it.skipIf(process.getuid?.() !== 0)('warns about a folder owned by another user', () => {
    const dir = path.join(scratch(), 'capture');
    mkdirSync(dir, { mode: 0o700 });
    chownSync(dir, 12345, 12345);
    expect(ensureDataDirSync(dir).warning).toContain('belongs to another user (uid 12345)');
  });
});
