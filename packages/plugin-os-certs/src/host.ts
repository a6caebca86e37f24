import os from 'node:os';
import { createExec, type Exec } from './exec.js';
import { readOsRelease, type OsRelease } from './os-release.js';

/** The machine the commands run on: what they read from the process, injectable for tests. */
export interface Host {
  /** `process.platform`. */
  readonly platform: NodeJS.Platform;
  /** The user's home folder. */
  readonly home: string;
  /** The system root (`/`); another folder for a system image or a test. */
  readonly root: string;
  /** Runs programs. */
  readonly exec: Exec;
  /** `%APPDATA%` on Windows. */
  readonly appData: string | undefined;
  /** True when running as root or, on Windows, as Administrator. */
  isElevated(): Promise<boolean>;
  /** `/etc/os-release` under the root, on Linux. */
  osRelease(): Promise<OsRelease | undefined>;
  /** The machine's LAN IPv4 addresses, for the URL a phone opens. */
  lanAddresses(): string[];
}

/** This machine, as the CLI runs the commands. */
export function processHost(overrides: Partial<Host> = {}): Host {
  const exec = overrides.exec ?? createExec();
  const platform = overrides.platform ?? process.platform;
  const root = overrides.root ?? '/';
  return {
    platform,
    home: os.homedir(),
    root,
    exec,
    appData: process.env.APPDATA,
    // Windows has no uid: "net session" works only in an elevated prompt.
    isElevated: async () => (platform === 'win32' ? (await exec('net', ['session'])).code === 0 : process.getuid?.() === 0),
    osRelease: async () => (platform === 'linux' ? readOsRelease(root) : undefined),
    lanAddresses: () =>
      Object.values(os.networkInterfaces())
        .flatMap((entries) => entries ?? [])
        .filter((entry) => entry.family === 'IPv4' && !entry.internal)
        .map((entry) => entry.address),
    ...overrides,
  };
}
