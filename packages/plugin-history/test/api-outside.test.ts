import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureError, PluginError, Stage, type CapturePlugin, type CommandContext, type CommandSpec } from '@capture/core';
import { collectExchanges, requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history from '../src/index.js';
import { runInProcess } from './helpers/in-process.js';
import { populateHistory, startRecordingOrigin } from './helpers/populate.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

// The API works the same in a plugin command (no proxy runs) as in a running proxy, or says
// clearly what it needs; flush() can be awaited; storage is written before observers close.

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
  cleanupAll();
});

/** Rows committed to the file, read through a connection of its own (as another process would). */
function committedRows(file: string): number {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT count(*) FROM exchanges').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** A third-party plugin whose command reports on history through history's API. */
function reporter(): CapturePlugin {
  const command: CommandSpec = {
    name: 'report',
    description: 'how many exchanges history holds, per method',
    run: ({ context }) => {
      // The plugin object the CLI loaded, bound to the command's data folder.
      const api = context.plugin?.('history')?.reconfigure?.({ dataDir: context.dataDir }).api;
      if (!api) throw new CaptureError('USAGE', 'report needs the history plugin');
      const methods = api.list().map((summary) => summary.method);
      context.stdout.write(`${methods.length} exchanges: ${methods.join(',')}; first ${api.get(1)?.request.url ?? 'none'}\n`);
      return 0;
    },
  };
  return { name: 'reporter', apply: () => undefined, commands: [command] };
}

describe('history API in a command', () => {
  it("reads the command's data folder through the plugin object the command finds, as `capture history list` does", async () => {
    const dataDir = tempDir();
    origin = await startRecordingOrigin();
    await populateHistory(dataDir, origin);
    const plugins: CapturePlugin[] = [history(), reporter()];
    const find = ((name: string) => plugins.find((plugin) => plugin.name === name)) as NonNullable<CommandContext['plugin']>;
    const run = plugins[1]!.commands![0]!.run!;
    const result = await runInProcess(run, dataDir, {}, [], { plugin: find });
    expect(result.stdout).toBe(`5 exchanges: POST,DELETE,GET,POST,GET; first ${origin.url}/api/users?page=2\n`);
  });

  it('reads a data folder given as an option, and the folder the last proxy used once it closed', async () => {
    const dataDir = tempDir();
    origin = await startRecordingOrigin();
    await populateHistory(dataDir, origin);
    const api = history({ dataDir }).api!;
    expect(api.file).toBe(path.join(dataDir, 'history.db'));
    expect(api.list()).toHaveLength(5);
    expect(api.exchanges({ methods: ['DELETE'] }).map((exchange) => exchange.response?.statusCode)).toEqual([404]);
    await expect(api.flush()).resolves.toBeUndefined();

    const plugin = history({ flushInterval: 10 });
    proxy = await startProxy({ dataDir, plugins: [plugin] });
    await requestThroughProxy(proxy.port, `${origin.url}/after`);
    await proxy.close();
    proxy = undefined;
    expect(plugin.api!.list()).toHaveLength(6);
    expect(plugin.api!.clear()).toBe(6);
    expect(api.list()).toEqual([]);
  });

  it('says what it needs when no proxy runs and no data folder is known', () => {
    const api = history().api!;
    expect(api.file).toBeUndefined();
    let thrown: unknown;
    try {
      api.list();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(PluginError);
    expect(thrown).toMatchObject({ code: 'HISTORY_NO_DATA_DIR', plugin: 'history' });
    expect((thrown as Error).message).toMatch(/^history: api\.list\(\) needs a running proxy or a data folder: .*history\(\{ dataDir \}\)/);
    expect(() => api.get(1)).toThrow('history: api.get() needs a running proxy or a data folder');
  });
});

describe('history flush', () => {
  it('resolves once the queued exchanges are committed', async () => {
    const dataDir = tempDir();
    origin = await startOrigin();
    // Nothing would be written for a second on its own.
    const plugin = history({ flushInterval: 1000 });
    proxy = await startProxy({ dataDir, plugins: [plugin] });
    const exchanges = collectExchanges(proxy.proxy);
    for (const page of ['/a', '/b', '/c']) await requestThroughProxy(proxy.port, `${origin.url}${page}`);
    // The collector observes after storage: history has queued all three by now.
    await exchanges.waitFor(3);
    await plugin.api!.flush();
    expect(committedRows(path.join(dataDir, 'history.db'))).toBe(3);
    expect(plugin.api!.list().map((summary) => new URL(summary.url).pathname)).toEqual(['/c', '/b', '/a']);
  });

  it('is written before observers close: an observer awaiting flush() in onClose finds every exchange on disk', async () => {
    const dataDir = tempDir();
    origin = await startOrigin();
    const file = path.join(dataDir, 'history.db');
    let seenOnClose: number | undefined;
    // Applied before history, so only the stage puts it after storage.
    const observer: CapturePlugin = {
      name: 'observer',
      apply(target) {
        target.hooks.onClose.tapPromise({ name: 'observer', stage: Stage.OBSERVE }, async () => {
          await target.plugin('history')?.api?.flush();
          seenOnClose = committedRows(file);
        });
      },
    };
    proxy = await startProxy({ dataDir, plugins: [observer, history({ flushInterval: 1000 })] });
    const exchanges = collectExchanges(proxy.proxy);
    await requestThroughProxy(proxy.port, `${origin.url}/one`);
    await requestThroughProxy(proxy.port, `${origin.url}/two`);
    await exchanges.waitFor(2);
    await proxy.close();
    proxy = undefined;
    expect(seenOnClose).toBe(2);
  });
});
