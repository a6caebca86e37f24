import os from 'node:os';
import path from 'node:path';

/** What {@link resolveDataDir} looks at; every field defaults to this process's own. */
export interface DataDirInput {
  /** The `dataDir` config key, which wins over everything. */
  dataDir?: string | undefined;
  /** The environment (`CAPTURE_HOME`, `XDG_CONFIG_HOME`, `APPDATA`). */
  env?: NodeJS.ProcessEnv;
  /** The platform, as `process.platform`. */
  platform?: NodeJS.Platform;
  /** The user's home folder. */
  homedir?: string;
  /** Relative `dataDir` values resolve against this (the config file's folder). */
  cwd?: string;
}

/**
 * The folder where capture keeps its CA, history and collections. Precedence: the `dataDir`
 * config key, then `CAPTURE_HOME`, then the platform default: `$XDG_CONFIG_HOME/capture`
 * (else `~/.config/capture`) on Linux, `~/Library/Application Support/capture` on macOS,
 * `%APPDATA%\capture` on Windows.
 */
export function resolveDataDir(input: DataDirInput = {}): string {
  const env = input.env ?? process.env;
  const platform = input.platform ?? process.platform;
  const home = input.homedir ?? os.homedir();
  const cwd = input.cwd ?? process.cwd();
  const pathApi = platform === 'win32' ? path.win32 : path.posix;
  if (input.dataDir) return pathApi.resolve(cwd, input.dataDir);
  if (env.CAPTURE_HOME) return pathApi.resolve(cwd, env.CAPTURE_HOME);
  if (platform === 'darwin') return pathApi.join(home, 'Library', 'Application Support', 'capture');
  if (platform === 'win32') return pathApi.join(env.APPDATA ?? pathApi.join(home, 'AppData', 'Roaming'), 'capture');
  const configHome = env.XDG_CONFIG_HOME && pathApi.isAbsolute(env.XDG_CONFIG_HOME) ? env.XDG_CONFIG_HOME : pathApi.join(home, '.config');
  return pathApi.join(configHome, 'capture');
}
