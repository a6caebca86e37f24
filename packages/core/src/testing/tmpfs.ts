import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/*
 * A tiny file system for full-disk tests of storage plugins: a tmpfs mounted on a fresh folder.
 * Mounting needs root on Linux (as capture's own tests run, here and on CI); where it is refused,
 * `tmpfsUnavailable()` says why, so a test can skip with that reason in its name.
 */

const mounted: string[] = [];

/** Runs `mount`/`umount`; returns the error text when it failed. */
function run(command: string, args: string[]): string | undefined {
  const result = spawnSync(command, args, { encoding: 'utf8' });
  if (result.error) return result.error.message;
  if (result.status !== 0) return (result.stderr || result.stdout || `${command} exited ${result.status}`).trim();
  return undefined;
}

let probed: { reason: string | undefined } | undefined;

/**
 * Why no tmpfs can be mounted here, or undefined when one can: found once, by mounting and
 * unmounting a small one on the first call (never on import).
 */
export function tmpfsUnavailable(): string | undefined {
  probed ??= { reason: probeTmpfs() };
  return probed.reason;
}

function probeTmpfs(): string | undefined {
  if (process.platform !== 'linux') return `tmpfs mounts need Linux (this is ${process.platform})`;
  const probe = mkdtempSync(path.join(os.tmpdir(), 'capture-tmpfs-probe-'));
  try {
    const failed = run('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe]);
    if (failed) return `cannot mount a tmpfs (${failed})${process.getuid?.() === 0 ? '' : '; the full-disk tests need root'}`;
    run('umount', [probe]);
    return undefined;
  } finally {
    rmdirSync(probe);
  }
}

/** Mounts a tmpfs of `bytes` on a new folder and returns the folder; `unmountAllTmpfs()` (in afterEach) removes it. */
export function mountTmpfs(bytes: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'capture-full-disk-'));
  const failed = run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0700`, 'tmpfs', dir]);
  if (failed) throw new Error(`cannot mount a tmpfs on ${dir}: ${failed}`);
  mounted.push(dir);
  return dir;
}

/** Unmounts every tmpfs `mountTmpfs` mounted (lazily, should a file still be open) and removes their folders. */
export function unmountAllTmpfs(): void {
  for (const dir of mounted.splice(0)) {
    run('umount', ['-l', dir]);
    try {
      rmdirSync(dir);
    } catch {
      // Still busy: the lazy unmount finishes once its last file closes; the folder is empty then.
    }
  }
}

/**
 * Fills the file system holding `dir` with one file, `filler`, written until the disk answers
 * ENOSPC (in ever smaller pieces, so no block is left). Returns the filler's path; deleting it
 * frees the space again.
 */
export function fillDisk(dir: string): string {
  const filler = path.join(dir, 'filler');
  const fd = openSync(filler, 'w');
  try {
    for (const size of [64 * 1024, 4096, 512, 1]) {
      const chunk = Buffer.alloc(size, 0x66);
      for (;;) {
        try {
          if (writeSync(fd, chunk) < size) break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'ENOSPC') break;
          throw error;
        }
      }
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}
