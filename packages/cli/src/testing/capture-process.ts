import { spawn, type ChildProcessWithoutNullStreams, type SpawnOptions } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The `capture` command this kit runs: the `bin.js` built next to it (`dist/bin.js`), so a
 * plugin's tests exercise the same CLI a user installs.
 */
export const CAPTURE_BIN = fileURLToPath(new URL('../bin.js', import.meta.url));

/** A running `capture` child process with helpers to wait for its output. */
export interface CaptureProcess {
  /** The child process (stdin, stdout and stderr are pipes). */
  child: ChildProcessWithoutNullStreams;
  /** Everything it printed on stdout so far. */
  stdout(): string;
  /** Everything it printed on stderr so far. */
  stderr(): string;
  /** Resolves with the first match of `pattern` in the output; rejects if the process exits first. Waits on output, never sleeps. */
  waitFor(pattern: RegExp, stream?: 'stdout' | 'stderr'): Promise<RegExpMatchArray>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<number | null>;
  /** The data folder it runs with (`CAPTURE_HOME`): the one given, or the fresh temporary one the kit made. */
  home: string;
}

/** Options for {@link startCapture}. */
export interface StartCaptureOptions {
  /**
   * The data folder, given to the child as `CAPTURE_HOME`. Default: a fresh temporary folder,
   * removed once the process has exited (so a test never writes into the user's real data
   * folder); give one to keep the data between runs.
   */
  home?: string;
  /** The working directory (where `capture.config.*` is looked for); default the data folder. */
  cwd?: string;
  /** Extra environment, over the parent's, `CAPTURE_HOME` and `NO_COLOR=1`. */
  env?: NodeJS.ProcessEnv;
  /** Run through `bash -c` with this prefix (e.g. `ulimit -f 64;`), to test resource limits. */
  shellPrefix?: string;
  /** Spawn options such as `uid`/`gid`. */
  spawn?: Pick<SpawnOptions, 'uid' | 'gid'>;
  /** The `capture` entry to run; default {@link CAPTURE_BIN}. */
  bin?: string;
  /** Node's own options, before the entry (e.g. `['--trace-gc']` to see the collector's work). */
  nodeArgs?: readonly string[];
}

/** Starts `capture ...args` as a child process. Nothing happens until this is called. */
export function startCapture(args: string[], options: StartCaptureOptions = {}): CaptureProcess {
  const bin = options.bin ?? CAPTURE_BIN;
  const temporary = options.home === undefined ? mkdtempSync(path.join(os.tmpdir(), 'capture-test-home-')) : undefined;
  const home = options.home ?? temporary!;
  const env = { ...process.env, CAPTURE_HOME: home, NO_COLOR: '1', ...options.env };
  const spawnOptions = { cwd: options.cwd ?? home, env, ...options.spawn };
  const child = (
    options.shellPrefix
      ? spawn('bash', ['-c', `${options.shellPrefix} exec "$0" "$@"`, process.execPath, ...(options.nodeArgs ?? []), bin, ...args], spawnOptions)
      : spawn(process.execPath, [...(options.nodeArgs ?? []), bin, ...args], spawnOptions)
  ) as ChildProcessWithoutNullStreams;
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
      if (temporary) rmSync(temporary, { recursive: true, force: true });
      resolve(code);
      wake();
    }),
  );
  return {
    child,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    exited,
    home,
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

/** Starts `capture start` on a free loopback port (quiet) and resolves once it listens. */
export async function startProxyProcess(options: StartCaptureOptions = {}, extraArgs: string[] = []): Promise<CaptureProcess & { port: number }> {
  const capture = startCapture(['start', '--port', '0', '--host', '127.0.0.1', '--quiet', ...extraArgs], options);
  const match = await capture.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
  return Object.assign(capture, { port: Number(match[1]) });
}

/** Stops a `capture start` gracefully (SIGTERM) and resolves with its exit code. */
export async function stopProxyProcess(capture: CaptureProcess): Promise<number | null> {
  if (capture.child.exitCode === null && capture.child.signalCode === null) capture.child.kill('SIGTERM');
  return capture.exited;
}

/** Kills a capture process that is still running (for `afterEach`), and waits for it. */
export async function killIfRunning(capture: CaptureProcess | undefined): Promise<void> {
  if (!capture) return;
  if (capture.child.exitCode === null && capture.child.signalCode === null) capture.child.kill('SIGKILL');
  await capture.exited;
}

/**
 * Runs `capture ...args` to completion. `input` is written to its stdin, which is then closed;
 * `input: null` leaves stdin open (for commands that must not see end of input).
 */
export async function runCapture(
  args: string[],
  options: StartCaptureOptions & { input?: string | null } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const capture = startCapture(args, options);
  if (options.input !== null) capture.child.stdin.end(options.input ?? '');
  const code = await capture.exited;
  return { code, stdout: capture.stdout(), stderr: capture.stderr() };
}
