import fs from 'node:fs';
import fsp from 'node:fs/promises';
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

/** What {@link ensureDataDir} found or did. */
export interface DataDirStatus {
  /** The folder (as given). */
  dir: string;
  /** True when this call created it (mode 0700). */
  created: boolean;
  /**
   * One line to show the user when the folder already existed with access for other users
   * (group or world bits) or owned by someone else: captured secrets would be readable, or a
   * planted CA trusted. Given once per folder and process, so several plugins calling this do not
   * repeat it; undefined otherwise.
   */
  warning?: string;
}

/** Folders whose warning was handed out already in this process. */
const warned = new Set<string>();

/**
 * Creates the data folder private to the user (mode 0700, parents with the usual mode), whichever
 * part of capture needs it first, and checks an existing one: see {@link DataDirStatus.warning}.
 * An existing folder's mode is left alone (the user may have chosen it); only the warning says so.
 */
export async function ensureDataDir(dir: string): Promise<DataDirStatus> {
  await fsp.mkdir(path.dirname(dir), { recursive: true });
  const created = await fsp.mkdir(dir, { mode: PRIVATE_DIR_MODE }).then(
    () => true,
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'EEXIST') return false;
      throw error;
    },
  );
  return status(dir, created, created ? undefined : await fsp.stat(dir));
}

/** {@link ensureDataDir} for code that cannot await (e.g. opening a database in a constructor). */
export function ensureDataDirSync(dir: string): DataDirStatus {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  let created = true;
  try {
    fs.mkdirSync(dir, { mode: PRIVATE_DIR_MODE });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    created = false;
  }
  return status(dir, created, created ? undefined : fs.statSync(dir));
}

/** The data folder's mode: only its owner may list, read or write it. */
const PRIVATE_DIR_MODE = 0o700;

function status(dir: string, created: boolean, stats: fs.Stats | undefined): DataDirStatus {
  const warning = stats && process.platform !== 'win32' ? accessWarning(dir, stats) : undefined;
  if (!warning || warned.has(dir)) return { dir, created };
  warned.add(dir);
  return { dir, created, warning };
}

function accessWarning(dir: string, stats: fs.Stats): string | undefined {
  if (!stats.isDirectory()) return undefined;
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) {
    return `capture's data folder ${dir} belongs to another user (uid ${stats.uid}): what it holds may have been planted or read by them`;
  }
  const mode = stats.mode & 0o777;
  if (mode & 0o077) {
    return `capture's data folder ${dir} is accessible to other users (mode ${mode.toString(8).padStart(4, '0')}): captured secrets may be readable; run chmod 700 "${dir}"`;
  }
  return undefined;
}
