import { chmodSync, closeSync, constants, lstatSync, openSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { CaptureError, ensureDataDirSync } from '@capture/core/data';

/** Files history writes: only their owner may read them (they hold tokens, cookies, bodies). */
export const PRIVATE_FILE_MODE = 0o600;

/** The database's companions, which SQLite creates with the database's own mode. */
const COMPANIONS = ['-wal', '-shm'] as const;

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Makes `file` safe to open as the history database and says what needed saying. Its folder is
 * created 0700 when missing (core's ensureDataDirSync). The database (and its `-wal`, `-shm`) is never a symbolic link: one
 * is refused (`HISTORY_DB_SYMLINK`), since following it would write captures wherever another user
 * pointed it. A missing database is created empty with mode 0600 and without following links, so
 * SQLite (which gives the WAL and shared-memory files the database's mode) keeps all three
 * private. An existing file of ours readable by others is set to 0600; one owned by another user
 * is left alone. Either way the result is one warning line, or undefined when all was well.
 */
export function prepareDatabaseFile(file: string): string | undefined {
  // Core's ensureDataDirSync creates the folder 0700; a loose data folder is warned about once, by
  // the CLI or the proxy, where they call it first.
  ensureDataDirSync(path.dirname(file));
  for (const candidate of [file, ...COMPANIONS.map((suffix) => file + suffix)]) {
    if (lstatOrUndefined(candidate)?.isSymbolicLink()) {
      throw new CaptureError('HISTORY_DB_SYMLINK', `${candidate} is a symbolic link; capture does not follow links for its history (remove it, or point dataDir at the real folder)`);
    }
  }
  const existing = lstatOrUndefined(file);
  if (!existing) {
    try {
      closeSync(openSync(file, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW, PRIVATE_FILE_MODE));
    } catch (error) {
      // Another process created it in between: check that one as an existing file.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return prepareDatabaseFile(file);
    }
    return undefined;
  }
  const uid = process.getuid?.();
  if (uid !== undefined && existing.uid !== uid) {
    return `${file} belongs to another user (uid ${existing.uid}); anyone who controls it can read and change this history`;
  }
  const loose = [file, ...COMPANIONS.map((suffix) => file + suffix)].filter((candidate) => ((lstatOrUndefined(candidate)?.mode ?? 0) & 0o077) !== 0);
  if (!loose.length) return undefined;
  const was = (existing.mode & 0o777).toString(8).padStart(4, '0');
  for (const candidate of loose) chmodSync(candidate, PRIVATE_FILE_MODE);
  return `${file} was readable by other users (mode ${was}); set it${loose.length > 1 ? ' and its -wal/-shm' : ''} to 0600`;
}

/**
 * `dev:ino` of the file at `file` now, or undefined when there is none: which file a path leads
 * to, so the writer notices when it no longer leads to the one history opened (its folder deleted).
 */
export function fileIdentity(file: string): string | undefined {
  try {
    const stats = statSync(file);
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return undefined;
  }
}
