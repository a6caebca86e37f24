import { PassThrough } from 'node:stream';
import os from 'node:os';
import type { CapturePlugin, CommandContext } from '@capture/core';
import { describe, expect, it } from 'vitest';
import { readHistory } from './history-source.js';

const context = (plugin: CapturePlugin | undefined): CommandContext => ({
  dataDir: os.tmpdir(),
  stdout: new PassThrough(),
  stderr: new PassThrough(),
  isTTY: false,
  interactive: false,
  confirm: async () => false,
  plugin: (() => plugin) as CommandContext['plugin'],
});

describe('readHistory', () => {
  it('reads through a copy pointed at the data folder, filtered as history parses the flags', async () => {
    const seen: unknown[] = [];
    const reader = {
      name: 'history',
      apply() {},
      api: { filterFromFlags: (flags: { method?: string }) => ({ methods: [flags.method] }), // Only the async read: a synchronous one would fail here.
      exchangesAsync: async (filter: unknown) => (seen.push(filter), ['from the copy']) },
    };
    const plugin = { name: 'history', apply() {}, api: {}, reconfigure: (options: { dataDir?: string }) => (options.dataDir === os.tmpdir() ? reader : plugin) };
    await expect(readHistory(context(plugin as unknown as CapturePlugin), { method: 'GET' })).resolves.toEqual(['from the copy']);
    expect(seen).toEqual([{ methods: ['GET'] }]);
  });

  it('names the missing plugin', async () => {
    await expect(readHistory(context(undefined), {})).rejects.toThrow('openapi: needs the history plugin (@capture/plugin-history)');
  });
});
