import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { registerViewPort, ViewPortRegistry } from './view-registry.js';

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function folder(): string {
  const made = mkdtempSync(path.join(os.tmpdir(), 'capture-view-registry-'));
  folders.push(made);
  return path.join(made, 'views');
}

/** A pid no process has: beyond the kernel's default pid_max. */
const DEAD_PID = 4_194_305;

describe('ViewPortRegistry', () => {
  it('sees a view registered or removed at the next ask, and nothing when the folder is missing', () => {
    const where = folder();
    const registry = new ViewPortRegistry(where);
    expect([...registry.ports()]).toEqual([]);
    const unregister = registerViewPort(4321, where);
    expect([...registry.ports()]).toEqual([4321]);
    const second = registerViewPort(4322, where);
    expect([...registry.ports()].sort()).toEqual([4321, 4322]);
    unregister();
    second();
    expect([...registry.ports()]).toEqual([]);
  });

  it('ignores and deletes the notes of processes that are gone', () => {
    const where = folder();
    registerViewPort(4321, where);
    const stale = path.join(where, `5555.${DEAD_PID}`);
    writeFileSync(stale, '');
    const registry = new ViewPortRegistry(where);
    expect([...registry.ports()]).toEqual([4321]);
    expect(existsSync(stale)).toBe(false);
  });

  it("sees another capture's note without being told: the folder is watched, and a folder made later is found", async () => {
    const where = folder();
    // No periodic re-read within the test: a change seen in a watched folder is the watcher's.
    const registry = new ViewPortRegistry(where, { recheckMs: 3_600_000 });
    try {
      expect([...registry.ports()]).toEqual([]);
      // Written as another capture would: not through this process's registerViewPort. The
      // parent's pid is one that runs.
      mkdirSync(where, { recursive: true, mode: 0o700 });
      writeFileSync(path.join(where, `6001.${process.ppid}`), '');
      await vi.waitFor(() => expect([...registry.ports()]).toEqual([6001]), { timeout: 15_000 });
      writeFileSync(path.join(where, `6002.${process.ppid}`), '');
      await vi.waitFor(() => expect([...registry.ports()].sort()).toEqual([6001, 6002]), { timeout: 15_000 });
      rmSync(path.join(where, `6001.${process.ppid}`));
      await vi.waitFor(() => expect([...registry.ports()]).toEqual([6002]), { timeout: 15_000 });
      // The folder removed and made again: the new one is watched.
      rmSync(where, { recursive: true });
      await vi.waitFor(() => expect([...registry.ports()]).toEqual([]), { timeout: 15_000 });
      mkdirSync(where, { recursive: true, mode: 0o700 });
      writeFileSync(path.join(where, `6003.${process.ppid}`), '');
      await vi.waitFor(() => expect([...registry.ports()]).toEqual([6003]), { timeout: 15_000 });
    } finally {
      registry.close();
    }
  });
});
