import { mkdirSync, readdirSync, rmSync, watch, type FSWatcher, writeFileSync } from 'node:fs';
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

/**
 * Bumped whenever this process adds or removes a note: every registry in the process then reads
 * the folder again at its next ask, at once, without waiting for the watcher's event.
 */
let localChanges = 0;

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
  localChanges++;
  return () => {
    rmSync(file, { force: true });
    localChanges++;
  };
}

/** How long a read of the registry is trusted when the folder has not changed: a crashed capture's note is noticed within it. */
const RECHECK_MS = 5_000;

/**
 * How long a read is trusted when the folder cannot be watched (it does not exist yet, or the
 * file system offers no watching): notes of other processes are then seen within this.
 */
const UNWATCHED_MS = 250;

/**
 * The ports other web views of this user note as theirs. The guard asks on every proxied request,
 * so an ask costs no system call: the folder is watched (`fs.watch`) and read again only after
 * it changed, when this process changed a note, or every few seconds to notice processes that
 * died without removing their note; those notes are deleted then (the folder is this user's
 * own), so a crash leaves no lasting cost. Without a watcher (no folder yet, or a file system
 * that cannot watch) it is read again at most every {@link UNWATCHED_MS}.
 */
export class ViewPortRegistry {
  readonly #folder: string;
  #ports: ReadonlySet<number> = new Set();
  #watcher: FSWatcher | undefined;
  /** True once the watcher reported a change not read yet (or before the first read). */
  #changed = true;
  #readAt = 0;
  #localChanges = -1;
  #closed = false;
  readonly #recheckMs: number;

  /** `recheckMs`: how long a read of the watched folder is trusted (default 5 s), the bound on noticing a crashed capture. */
  constructor(folder = registryFolder(), options: { recheckMs?: number } = {}) {
    this.#folder = folder;
    this.#recheckMs = options.recheckMs ?? RECHECK_MS;
  }

  /** The ports of running web views noted in the folder (empty when it does not exist). */
  ports(): ReadonlySet<number> {
    const age = Date.now() - this.#readAt;
    const fresh = !this.#changed && this.#localChanges === localChanges && age < (this.#watcher ? this.#recheckMs : UNWATCHED_MS);
    if (fresh) return this.#ports;
    // Watched before reading: a note written between the read and the watch is not missed.
    this.#watch();
    this.#changed = false;
    this.#localChanges = localChanges;
    const read = readPorts(this.#folder);
    // A watched folder that was removed: its watcher sees nothing of a new one made later.
    if (!read) this.#unwatch(false);
    this.#ports = read ?? new Set();
    this.#readAt = Date.now();
    return this.#ports;
  }

  /** Stops watching the folder (a later ask reads it as an unwatched one would). */
  close(): void {
    this.#closed = true;
    this.#unwatch();
  }

  #watch(): void {
    if (this.#watcher || this.#closed) return;
    try {
      // Not persistent: the watch never keeps capture running.
      const watcher = watch(this.#folder, { persistent: false }, () => {
        this.#changed = true;
      });
      // The folder removed, or the watch failed: read on every ask's schedule again and watch anew.
      watcher.on('error', () => this.#unwatch());
      this.#watcher = watcher;
    } catch {
      // No folder yet, or no watching here: the unwatched schedule applies.
    }
  }

  #unwatch(readAgain = true): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    if (readAgain) this.#changed = true;
  }
}

/** Reads the notes (undefined when the folder cannot be read); those of processes that are gone are deleted. */
function readPorts(folder: string): Set<number> | undefined {
  const ports = new Set<number>();
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return undefined;
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
