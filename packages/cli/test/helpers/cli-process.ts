import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCapture, startCapture, type CaptureProcess } from '../../src/testing/index.js';

/** The built CLI entry (turbo builds it before tests run). */
export const BIN = fileURLToPath(new URL('../../dist/bin.js', import.meta.url));
const PACKAGES = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A temporary project folder: config files written into it can import `@capture/core`
 * (linked to the workspace package) like a user's project would.
 */
export function tempProject(files: Record<string, string> = {}): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'capture-cli-'));
  mkdirSync(path.join(dir, 'node_modules', '@capture'), { recursive: true });
  symlinkSync(path.join(PACKAGES, 'core'), path.join(dir, 'node_modules', '@capture', 'core'), 'dir');
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), content);
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A running `capture` child process (the public test kit's `CaptureProcess`). */
export type CliProcess = CaptureProcess;

/** Starts `node dist/bin.js ...args` in `cwd` with a private CAPTURE_HOME (`cwd/.capture-home`, unless `env` sets one). */
export function startCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; nodeArgs?: readonly string[] }): CliProcess {
  return startCapture(args, { bin: BIN, home: path.join(options.cwd, '.capture-home'), cwd: options.cwd, env: options.env, nodeArgs: options.nodeArgs });
}

/** Runs `capture ...args` to completion (stdin stays open, as for a command run from a script). */
export function runCliProcess(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCapture(args, { bin: BIN, home: path.join(options.cwd, '.capture-home'), cwd: options.cwd, env: options.env, input: null });
}
