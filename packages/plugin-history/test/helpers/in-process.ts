import { PassThrough } from 'node:stream';
import type { CommandContext, CommandInput } from '@capture/core';

/** Output of a command run in this process. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command's `run` in this process with a context like the CLI's (no terminal), for the
 * many small checks that would otherwise each start a CLI process. The CLI wiring itself is
 * covered by tests that run `capture` as a child process.
 */
export async function runInProcess(
  run: (input: CommandInput) => Promise<number | void> | number | void,
  dataDir: string,
  options: Record<string, unknown> = {},
  args: Array<string | string[] | undefined> = [],
  context: Partial<CommandContext> = {},
): Promise<CommandResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await run({
    args,
    options,
    context: { dataDir, stdout, stderr, isTTY: false, interactive: false, confirm: async () => false, ...context },
  });
  return { code: code ?? 0, stdout: out, stderr: err };
}
