import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCapture, startCapture, type CaptureProcess } from '../../src/testing/index.js';
import { BIN } from './cli-process.js';

/** The folder of `examples/<name>`. */
export function exampleDir(name: string): string {
  return fileURLToPath(new URL(`../../../../examples/${name}/`, import.meta.url));
}

/** A running example: `capture start --port 0` in the example's folder with a temporary data folder. */
export interface RunningExample {
  capture: CaptureProcess;
  port: number;
  home: string;
  /** Stops it with SIGTERM (flush, exit 0) and resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Runs another `capture` command in the example's folder with the same data folder. */
  run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  /** Kills it if still running and removes the data folder. */
  cleanup(): Promise<void>;
}

/** Starts `examples/<name>` from its own capture.config.ts, on a free port. */
export async function startExample(name: string, env: NodeJS.ProcessEnv = {}, extraArgs: string[] = []): Promise<RunningExample> {
  const cwd = exampleDir(name);
  const home = mkdtempSync(path.join(os.tmpdir(), `capture-example-${name}-`));
  const capture = startCapture(['start', '--port', '0', ...extraArgs], { bin: BIN, home, cwd, env });
  const cleanup = async () => {
    if (capture.child.exitCode === null && capture.child.signalCode === null) capture.child.kill('SIGKILL');
    await capture.exited;
    rmSync(home, { recursive: true, force: true });
  };
  try {
    const [, port] = await capture.waitFor(/listening on http:\/\/[\d.]+:(\d+)/);
    return {
      capture,
      port: Number(port),
      home,
      stop: async () => {
        if (capture.child.exitCode === null) capture.child.kill('SIGTERM');
        return capture.exited;
      },
      run: (args) => runCapture(args, { bin: BIN, home, cwd, env }),
      cleanup,
    };
  } catch (error) {
    await cleanup();
    throw error;
  }
}

/** Runs `capture ...args` to completion in `examples/<name>` with a fresh temporary data folder (the kit's default). */
export function runExample(name: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCapture(args, { bin: BIN, cwd: exampleDir(name), env });
}
