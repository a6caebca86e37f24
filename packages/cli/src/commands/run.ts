import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { CaptureError, type CapturePlugin } from '@capture/core';
import { programEnvironment } from '../environment/index.js';
import type { CliIo } from '../io.js';
import type { LoadedConfig } from '../load-config.js';
import { startProgramSession } from './program-session.js';
import { noProxyHosts, type RunFlags } from './run-options.js';

export { addRunOptions, noProxyHosts, type RunFlags } from './run-options.js';

/** The signals `capture run` passes on to its program. */
const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/**
 * `capture run [start options] -- CMD [ARGS...]`: starts capture, runs CMD with stdio inherited
 * and an environment that routes it through capture and trusts capture's CA, passes Ctrl-C and
 * SIGTERM on to it, then closes capture (finishing its exchanges) and resolves with CMD's exit
 * code (128+N when a signal ended it), after one summary line on stderr.
 */
export async function runProgram(loaded: LoadedConfig, flags: RunFlags, plugins: readonly CapturePlugin[], io: CliIo, argv: readonly string[]): Promise<number> {
  const [command, ...args] = argv;
  if (!command) throw new CaptureError('USAGE', 'capture run needs a command: capture run [options] -- CMD [ARGS...]');
  const name = programName(command);
  const source = `run:${name}`;
  const program = await startProgramSession(loaded, flags, plugins, io, source);
  let code: number;
  try {
    const env = await programEnvironment({
      dataDir: program.session.proxy.dataDir,
      proxyUrl: program.proxyUrl,
      caPem: program.session.proxy.plugin('https')?.api?.ca?.certPem,
      noProxy: noProxyHosts(flags),
      base: io.env,
    });
    code = await runChild(command, args, { ...io.env, ...env }, io);
  } finally {
    await program.close();
  }
  const count = program.captured();
  const hint = program.session.proxy.plugin('history') ? ` (capture history list --source ${source})` : '';
  io.stderr.write(`captured ${count} exchange${count === 1 ? '' : 's'} from ${name}${hint}\n`);
  return code;
}

/** `npm` for `/usr/bin/npm`, `npm.cmd` or `npm.exe`: what the source and the summary call the program. */
export function programName(command: string): string {
  return path.basename(command).replace(/\.(exe|cmd|bat)$/i, '') || command;
}

/**
 * Runs the program with this process's stdio and resolves with its exit code. Signals this
 * process gets go on to the program (which decides how to stop; Ctrl-C on a terminal reaches
 * both anyway), and once it has exited a second signal stops waiting.
 */
export function runChild(command: string, args: readonly string[], env: NodeJS.ProcessEnv, io: Pick<CliIo, 'cwd' | 'stderr'>): Promise<number> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    const forward = (signal: NodeJS.Signals) => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const done = (code: number) => {
      for (const signal of FORWARDED) process.off(signal, forward);
      resolve(code);
    };
    for (const signal of FORWARDED) process.on(signal, forward);
    child = spawn(command, args, { stdio: 'inherit', env, cwd: io.cwd });
    child.once('error', (error: NodeJS.ErrnoException) => {
      // As a shell says it: 127 not found, 126 found but not runnable.
      const missing = error.code === 'ENOENT';
      io.stderr.write(`capture: cannot run "${command}": ${missing ? 'command not found' : (error.code ?? error.message)}\n`);
      done(missing ? 127 : 126);
    });
    child.once('exit', (code, signal) => done(code ?? 128 + (signal ? (os.constants.signals[signal] ?? 0) : 0)));
  });
}
