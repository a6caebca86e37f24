import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

/** The ports other web views of this user note as theirs (notes of processes that are gone are ignored). */
export function registeredViewPorts(folder = registryFolder()): Set<number> {
  const ports = new Set<number>();
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return ports;
  }
  for (const name of names) {
    const [port, pid] = name.split('.').map(Number);
    if (Number.isInteger(port) && Number.isInteger(pid) && isRunning(pid!)) ports.add(port!);
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
