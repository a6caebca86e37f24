import { open, readdir, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import path from 'node:path';

let counter = 0;

/** Files the collections plugin writes: only their owner may read them. */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * One line saying why an existing collection file is unsafe (readable or writable by other
 * users, or owned by another user), or undefined when it is fine or missing. The next write
 * makes a file of ours 0600; one of another user is only reported.
 */
export async function unsafeFileWarning(file: string): Promise<string | undefined> {
  const info = await stat(file).catch(() => undefined);
  if (!info) return undefined;
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) return `${file} belongs to another user (uid ${info.uid}); anyone who controls it can read and change this collection`;
  const mode = info.mode & 0o777;
  if (mode & 0o077) return `${file} is readable by other users (mode ${mode.toString(8).padStart(4, '0')}); capture writes it as 0600 from now on`;
  return undefined;
}

/** The temporary file a write goes through: hidden, beside the target (a rename only is atomic within one file system). */
export function temporaryPath(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${counter++}.tmp`);
}

/**
 * Replaces `file` with `data` so that at every moment, even if the process is killed or the
 * machine loses power, the file holds either the old content or the new, never half of either:
 * the data goes to a temporary file beside it, is flushed to disk (fsync), and is renamed over
 * the target; the folder is then flushed too so the rename itself survives a power cut. A failed
 * write (a full disk) removes the temporary file and leaves the target as it was. The temporary
 * file, and so the result, is 0600 whatever the file's mode was: collections hold captured
 * tokens and cookies, which no other user may read (a looser file is reported when it is opened).
 * Resolves with the written file's stat, taken before the rename (which keeps inode, size and
 * mtime), so a file removed right after the write is not mistaken for a failed write.
 */
export async function writeFileAtomic(file: string, data: string): Promise<Stats> {
  const temp = temporaryPath(file);
  let handle: FileHandle | undefined;
  let written: Stats;
  try {
    handle = await open(temp, 'wx', PRIVATE_FILE_MODE);
    // open's mode is filtered by the umask; a umask never adds bits, but say 0600 exactly anyway.
    await handle.chmod(PRIVATE_FILE_MODE);
    await handle.writeFile(data, 'utf8');
    await handle.sync();
    written = await handle.stat();
    await handle.close();
    handle = undefined;
    await rename(temp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
  await syncFolder(path.dirname(file));
  return written;
}

/** Flushes a folder's entries to disk; best effort, since some file systems refuse to open folders for it. */
async function syncFolder(folder: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(folder, 'r');
    await handle.sync();
  } catch {
    // Not supported here (e.g. Windows): the file's own fsync already holds the data.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/**
 * Removes temporary files that writes of `file` left behind when their process was killed
 * mid-write (the target itself is intact: that is the point of writing through them). Files of
 * processes still running are left alone: they may be writing right now.
 */
export async function removeStaleTemporaryFiles(file: string): Promise<void> {
  const folder = path.dirname(file);
  const prefix = `.${path.basename(file)}.`;
  const names = await readdir(folder).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const pid = Number(name.slice(prefix.length).split('.')[0]);
    if (!Number.isInteger(pid) || pid <= 0 || isRunning(pid)) continue;
    await rm(path.join(folder, name), { force: true }).catch(() => undefined);
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
