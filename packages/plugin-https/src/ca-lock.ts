import { promises as fs } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { CaptureError } from '@capture/core';
import type { CaPaths } from './ca-files.js';

/** A lock older than this is left over from a crashed process (creating a CA takes well under a second). */
const STALE_AFTER_MS = 30_000;
/** How long to wait for another process to finish creating the CA before giving up. */
const WAIT_LIMIT_MS = 60_000;
/** Polling interval while another process holds the lock: the holder is a different process, so there is no event to wait on. */
const POLL_MS = 20;

/** True while some process holds the CA lock. */
export async function isLocked(paths: CaPaths): Promise<boolean> {
  return fs.access(paths.lock).then(
    () => true,
    () => false,
  );
}

/**
 * Runs `task` holding the CA's lock file (created with O_EXCL, so exactly one process wins),
 * waiting while another process holds it. A lock whose process is gone, or which is older than
 * 30 s, is taken over.
 */
export async function withCaLock<T>(paths: CaPaths, task: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + WAIT_LIMIT_MS;
  for (;;) {
    try {
      await fs.writeFile(paths.lock, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new CaptureError('CA_WRITE_FAILED', `cannot create ${paths.lock} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
      }
      if (await isStale(paths.lock)) {
        await fs.rm(paths.lock, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new CaptureError('CA_LOCKED', `another capture process is creating the CA (${paths.lock} exists); if none is running, delete that file`);
      }
      await delay(POLL_MS);
    }
  }
  try {
    return await task();
  } finally {
    await fs.rm(paths.lock, { force: true });
  }
}

async function isStale(lock: string): Promise<boolean> {
  try {
    const [content, stat] = await Promise.all([fs.readFile(lock, 'utf8'), fs.stat(lock)]);
    if (Date.now() - stat.mtimeMs > STALE_AFTER_MS) return true;
    const pid = Number(content.trim());
    if (!Number.isInteger(pid) || pid <= 0) return false;
    try {
      process.kill(pid, 0);
      return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ESRCH';
    }
  } catch {
    // The holder removed it between our attempts: not stale, just retry.
    return false;
  }
}
