import { spawn, type ChildProcessWithoutNullStreams, type SpawnOptions } from 'node:child_process';
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

/** Options for {@link startCapture}. */
export interface StartOptions {
  /** CAPTURE_HOME for the child. */
  home: string;
  /** Extra environment. */
  env?: NodeJS.ProcessEnv;
  /** Run through `bash -c` with this prefix (e.g. `ulimit -f 64;`), for resource limits. */
  shellPrefix?: string;
  /** Spawn options such as uid/gid. */
  spawn?: Pick<SpawnOptions, 'uid' | 'gid'>;
  /** Working directory; default the data folder. */
  cwd?: string;
}

/** Starts `capture ...args` with its data folder in `home`. */
export function startCapture(args: string[], options: StartOptions): CaptureProcess {
  const env = { ...process.env, CAPTURE_HOME: options.home, NO_COLOR: '1', ...options.env };
  const child = (
    options.shellPrefix
      ? spawn('bash', ['-c', `${options.shellPrefix} exec "$0" "$@"`, process.execPath, CAPTURE_BIN, ...args], { cwd: options.cwd ?? options.home, env, ...options.spawn })
      : spawn(process.execPath, [CAPTURE_BIN, ...args], { cwd: options.cwd ?? options.home, env, ...options.spawn })
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
export async function startProxyProcess(options: StartOptions, extraArgs: string[] = []): Promise<CaptureProcess & { port: number }> {
  const capture = startCapture(['start', '--port', '0', '--host', '127.0.0.1', '--quiet', ...extraArgs], options);
  const match = await capture.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
  return Object.assign(capture, { port: Number(match[1]) });
}

/** Stops a `capture start` gracefully (SIGTERM) and resolves with its exit code. */
export async function stopProxyProcess(capture: CaptureProcess): Promise<number | null> {
  if (capture.child.exitCode === null && capture.child.signalCode === null) capture.child.kill('SIGTERM');
  return capture.exited;
}

/** Runs `capture ...args` to completion. */
export async function runCapture(args: string[], options: StartOptions & { input?: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const capture = startCapture(args, options);
  capture.child.stdin.end(options.input ?? '');
  const code = await capture.exited;
  return { code, stdout: capture.stdout(), stderr: capture.stderr() };
}
