import { describe, expect, it } from 'vitest';
import { resolveDataDir } from './data-dir.js';

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
