import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/**
 * The built `capture` command. The plugin cannot depend on @capture/cli (the CLI depends on
 * it); this package's turbo.json makes its tests wait for the CLI's build instead.
 */
export const CAPTURE_BIN = fileURLToPath(new URL('../../../cli/dist/bin.js', import.meta.url));

/** A running `capture` child process. */
export interface CaptureProcess {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first match of `pattern` in the output (waits for output, never sleeps). */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
}

/** Starts `capture ...args` with its data folder (CAPTURE_HOME) in `home`, working in `cwd` (default `home`). */
export function startCapture(args: string[], home: string, cwd = home): CaptureProcess {
  const child = spawn(process.execPath, [CAPTURE_BIN, ...args], { cwd, env: { ...process.env, CAPTURE_HOME: home, NO_COLOR: '1' } });
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
  let done = false;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      done = true;
      resolve(code);
      wake();
    }),
  );
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

/** Starts `capture start` on a free loopback port and resolves once it listens. */
export async function startProxyProcess(home: string, args: string[]): Promise<CaptureProcess & { port: number }> {
  const capture = startCapture(['start', '--port', '0', '--host', '127.0.0.1', '--quiet', ...args], home);
  const match = await capture.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
  return Object.assign(capture, { port: Number(match[1]) });
}

/** Runs `capture ...args` to completion. */
export async function runCapture(args: string[], home: string, cwd = home): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const capture = startCapture(args, home, cwd);
  capture.child.stdin.end();
  const code = await capture.exited;
  return { code, stdout: capture.stdout(), stderr: capture.stderr() };
}

/** Kills a capture process that is still running (for afterEach), and waits for it. */
export async function killIfRunning(capture: CaptureProcess | undefined): Promise<void> {
  if (!capture) return;
  if (capture.child.exitCode === null && capture.child.signalCode === null) capture.child.kill('SIGKILL');
  await capture.exited;
}
