import { chmodSync, existsSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CapturePlugin } from '@capture/core';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history, { type HistoryApi } from '../src/index.js';
import { runExport } from '../src/commands/export.js';
import { runList } from '../src/commands/list.js';
import { runInProcess } from './helpers/in-process.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
  cleanupAll();
});

const modeOf = (file: string) => statSync(file).mode & 0o777;

/** A plugin that keeps every message reported through `onError`. */
function errorLog(): { plugin: CapturePlugin; messages: string[] } {
  const messages: string[] = [];
  return { messages, plugin: { name: 'errors', apply: (p) => void p.hooks.onError.tap('errors', (error) => void messages.push(`${error.code}: ${error.message}`)) } };
}

/** Starts a proxy with history in `dataDir`, sends one request and waits until it is written. */
async function captureOne(dataDir: string, extra: CapturePlugin[] = []): Promise<HistoryApi> {
  origin = await startOrigin();
  const plugin = history();
  proxy = await startProxy({ dataDir, plugins: [...extra, plugin] });
  await requestThroughProxy(proxy.port, `${origin.url}/secret?token=abc`);
  await (plugin.api as HistoryApi).flush();
  return plugin.api as HistoryApi;
}

describe('history files are private', () => {
  it('creates the data folder 0700 and history.db, -wal and -shm 0600', async () => {
    const dataDir = path.join(tempDir(), 'fresh', 'capture');
    await captureOne(dataDir);
    expect(modeOf(dataDir)).toBe(0o700);
    for (const suffix of ['', '-wal', '-shm']) expect(modeOf(path.join(dataDir, `history.db${suffix}`)), `history.db${suffix}`).toBe(0o600);
  });

  it('an existing history.db readable by others: set to 0600, with one warning line at start and in commands', async () => {
    const dataDir = tempDir();
    await captureOne(dataDir);
    await proxy!.close();
    proxy = undefined;
    const db = path.join(dataDir, 'history.db');
    chmodSync(db, 0o644);
    const listed = await runInProcess(runList, dataDir, { json: true });
    expect(listed.code).toBe(0);
    expect(listed.stderr.trim().split('\n')).toEqual([expect.stringMatching(/warning: .*history\.db was readable by other users \(mode 0644\); set it .*to 0600/)]);
    expect(modeOf(db)).toBe(0o600);

    chmodSync(db, 0o640);
    const log = errorLog();
    await captureOne(dataDir, [log.plugin]);
    expect(log.messages).toEqual([expect.stringMatching(/^HISTORY_DB_UNSAFE: .*mode 0640/)]);
    expect(modeOf(db)).toBe(0o600);
  });

  it('writes an export file with -o as 0600', async () => {
    const dataDir = tempDir();
    await captureOne(dataDir);
    const file = path.join(dataDir, 'out.har');
    const result = await runInProcess(runExport, dataDir, { format: 'har', output: file });
    expect(result.code, result.stderr).toBe(0);
    expect(modeOf(file)).toBe(0o600);
  });
});

describe('history.db is never a symbolic link', () => {
  it('refuses one with a clear message, in commands and at start, and never writes through it', async () => {
    const dataDir = tempDir();
    const elsewhere = path.join(tempDir(), 'planted.db');
    writeFileSync(elsewhere, '');
    symlinkSync(elsewhere, path.join(dataDir, 'history.db'));
    await expect(runInProcess(runList, dataDir, {})).rejects.toThrow(/history\.db is a symbolic link; capture does not follow links/);
    const log = errorLog();
    await captureOne(dataDir, [log.plugin]);
    expect(log.messages).toEqual([expect.stringMatching(/^HISTORY_UNAVAILABLE: .*history\.db is a symbolic link.*capturing goes on without saving history/)]);
    expect(readFileSync(elsewhere)).toHaveLength(0);
    expect(existsSync(`${elsewhere}-wal`)).toBe(false);
  });
});
