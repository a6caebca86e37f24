import { spawn } from 'node:child_process';

/** What a finished program gave. */
export interface ExecResult {
  /** Its exit code; null when a signal ended it. */
  readonly code: number | null;
  /** Standard output and error, interleaved as they arrived. */
  readonly output: string;
  /** True when the program could not be found (`ENOENT`). */
  readonly missing: boolean;
}

/** Runs programs; injectable so tests can give stores a PATH of their own. */
export type Exec = (command: string, args: readonly string[]) => Promise<ExecResult>;

/**
 * Runs a program without a shell (arguments are never re-parsed) and collects its output, which
 * is shown when it fails. `env` replaces the environment when given.
 */
export function createExec(env?: NodeJS.ProcessEnv): Exec {
  return (command, args) =>
    new Promise((resolve) => {
      let output = '';
      const child = spawn(command, args, { env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.on('error', (error: NodeJS.ErrnoException) => resolve({ code: null, output: error.message, missing: error.code === 'ENOENT' }));
      child.on('close', (code) => resolve({ code, output, missing: false }));
    });
}
