import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const folders: string[] = [];

/** A fresh temporary folder; `cleanupAll()` (in afterEach) removes every one made. */
export function tempDir(prefix = 'capture-collections-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  folders.push(dir);
  return dir;
}

/** Removes every folder `tempDir` created. */
export function cleanupAll(): void {
  for (const dir of folders.splice(0)) rmSync(dir, { recursive: true, force: true });
}
