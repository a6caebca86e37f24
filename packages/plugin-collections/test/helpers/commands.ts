import { PassThrough } from 'node:stream';
import type { CommandSpec } from '@capture/core';
import collections, { type CollectionsOptions } from '../../src/index.js';

/** What a command printed and returned. */
export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `capture collection <sub>` in this process with a context like the CLI's (no terminal), for
 * the many small checks that would otherwise each start a process; the CLI wiring itself is
 * covered by tests that run `capture` as a child process.
 */
export async function runCollectionCommand(
  dataDir: string,
  sub: 'list' | 'show' | 'export',
  args: string[] = [],
  options: Record<string, unknown> = {},
  pluginOptions: CollectionsOptions = {},
): Promise<CommandResult> {
  const group = collections(pluginOptions).commands!.find((spec) => spec.name === 'collection')!;
  const spec = group.subcommands!.find((command: CommandSpec) => command.name === sub)!;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const code = await spec.run!({ args, options, context: { dataDir, stdout, stderr, isTTY: false, interactive: false, confirm: async () => false } });
  return { code: code ?? 0, stdout: out, stderr: err };
}
