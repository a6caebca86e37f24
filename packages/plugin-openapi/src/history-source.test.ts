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
  it('reads through a copy pointed at the data folder', async () => {
    const reader = { name: 'history', apply() {}, api: { file: '/data/history.db', exchanges: () => ['from the copy'] } };
    const plugin = { name: 'history', apply() {}, api: { file: undefined, exchanges: () => [] }, reconfigure: (options: { dataDir?: string }) => (options.dataDir ? reader : plugin) };
    await expect(readHistory(context(plugin as unknown as CapturePlugin), {})).resolves.toEqual(['from the copy']);
  });

  it('applies a history plugin without dataDir to a proxy that never listens', async () => {
    let applied = false;
    const plugin = {
      name: 'history',
      apply() {
        applied = true;
      },
      api: { file: undefined, exchanges: () => (applied ? ['opened'] : []) },
      reconfigure: () => {
        throw new Error('unknown option "dataDir"');
      },
    };
    await expect(readHistory(context(plugin as unknown as CapturePlugin), {})).resolves.toEqual(['opened']);
  });

  it('names the missing plugin', async () => {
    await expect(readHistory(context(undefined), {})).rejects.toThrow('openapi: needs the history plugin (@capture/plugin-history)');
  });
});
