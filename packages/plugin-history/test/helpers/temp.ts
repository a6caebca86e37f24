import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A temporary data folder per test; `cleanupAll()` (in afterEach) removes them. */
const folders: string[] = [];

/** Creates a fresh temporary folder. */
export function tempDir(prefix = 'capture-history-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

/** Removes every folder `tempDir` created. */
export function cleanupAll(): void {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}
