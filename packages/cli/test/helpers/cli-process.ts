import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** A running `capture` child process with helpers to wait for its output. */
export interface CliProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout/stderr match of `pattern` (waits for output, never sleeps). */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

/** Starts `node dist/bin.js ...args` in `cwd` with a private CAPTURE_HOME. */
export function startCli(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): CliProcess {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: { ...process.env, CAPTURE_HOME: path.join(options.cwd, '.capture-home'), NO_COLOR: '1', ...options.env },
  });
  const out = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  const wake = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    out.stdout += chunk.toString();
    wake();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out.stderr += chunk.toString();
    wake();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    resolve(code);
    wake();
  }));
  let done = false;
  void exited.then(() => (done = true));
  return {
    child,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    exited,
    waitFor(pattern, stream = 'stdout') {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = out[stream].match(pattern);
          if (match) return resolve(match);
          if (done) return reject(new Error(`capture exited before printing ${pattern}\nstdout: ${out.stdout}\nstderr: ${out.stderr}`));
          waiters.push(check);
        };
        check();
      });
    },
  };
}

/** Runs `capture ...args` to completion. */
export async function runCliProcess(args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startCli(args, options);
  const code = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}
