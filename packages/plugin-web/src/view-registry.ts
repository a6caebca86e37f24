import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Where every running web view of this user notes its port: a private folder in the temporary
 * directory, one empty file per port (named by it). Every capture's proxy reads it, so capture
 * A's proxy refuses to carry requests, upgrades or CONNECTs to capture B's view as well as to its
 * own, whichever data folder each uses.
 */
export function registryFolder(): string {
  return path.join(os.tmpdir(), `capture-web-views-${process.getuid?.() ?? 'user'}`);
}

/** Notes `port` as a web view's; returns the function that removes the note again. */
export function registerViewPort(port: number, folder = registryFolder()): () => void {
  const file = path.join(folder, `${port}.${process.pid}`);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    writeFileSync(file, '', { mode: 0o600 });
  } catch {
    // No temporary folder: the proxy still guards its own view; only other captures' are unknown.
    return () => undefined;
  }
  return () => rmSync(file, { force: true });
}

/** How long a read of the registry is trusted when the folder has not changed: a crashed capture's note is noticed within it. */
const RECHECK_MS = 5_000;

/**
 * The ports other web views of this user note as theirs. The guard asks on every proxied request,
 * so the folder is read again only when its mtime says a note came or went (one `stat` per ask),
 * or every few seconds to notice processes that died without removing their note; those notes are
 * deleted then (the folder is this user's own), so a crash leaves no lasting cost.
 */
export class ViewPortRegistry {
  readonly #folder: string;
  #ports: ReadonlySet<number> = new Set();
  #folderMtime = Number.NaN;
  #readAt = 0;

  constructor(folder = registryFolder()) {
    this.#folder = folder;
  }

  /** The ports of running web views noted in the folder (empty when it does not exist). */
  ports(): ReadonlySet<number> {
    const mtime = folderMtime(this.#folder);
    if (mtime === undefined) {
      this.#ports = new Set();
      this.#folderMtime = Number.NaN;
      return this.#ports;
    }
    if (mtime === this.#folderMtime && Date.now() - this.#readAt < RECHECK_MS) return this.#ports;
    this.#ports = readPorts(this.#folder);
    // Reading may have deleted dead notes, which changed the folder's mtime: remember the new one.
    this.#folderMtime = folderMtime(this.#folder) ?? Number.NaN;
    this.#readAt = Date.now();
    return this.#ports;
  }
}

function folderMtime(folder: string): number | undefined {
  try {
    return statSync(folder).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Reads the notes; those of processes that are gone are deleted. */
function readPorts(folder: string): Set<number> {
  const ports = new Set<number>();
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return ports;
  }
  for (const name of names) {
    const [port, pid] = name.split('.').map(Number);
    if (!Number.isInteger(port) || !Number.isInteger(pid)) continue;
    if (isRunning(pid!)) ports.add(port!);
    else rmSync(path.join(folder, name), { force: true });
  }
  return ports;
}
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
