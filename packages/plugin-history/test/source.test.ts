import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history, { type HistoryApi } from '../src/index.js';
import { runList } from '../src/commands/list.js';
import { runShow } from '../src/commands/show.js';
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

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Three exchanges: one from `run:npm`, one from `run:git`, one from the plain client. */
async function captureFromSources(dataDir: string): Promise<HistoryApi> {
  origin = await startOrigin();
  const plugin = history();
  proxy = await startProxy({ dataDir, plugins: [plugin] });
  proxy.proxy.addClientSource('npm', 'secret-npm', 'run:npm');
  proxy.proxy.addClientSource('git', 'secret-git', 'run:git');
  await requestThroughProxy(proxy.port, `${origin.url}/npm`, { headers: { 'Proxy-Authorization': basic('npm', 'secret-npm') } });
  await requestThroughProxy(proxy.port, `${origin.url}/git`, { headers: { 'Proxy-Authorization': basic('git', 'secret-git') } });
  await requestThroughProxy(proxy.port, `${origin.url}/plain`);
  const api = plugin.api as HistoryApi;
  await api.flush();
  return api;
}

describe('source', () => {
  it('stores where each exchange came from and reads it back', async () => {
    const api = await captureFromSources(tempDir());
    expect(api.list().map((summary) => [new URL(summary.url).pathname, summary.source])).toEqual([
      ['/plain', '127.0.0.1'],
      ['/git', 'run:git'],
      ['/npm', 'run:npm'],
    ]);
    const [npm] = api.exchanges({ source: 'run:npm' });
    expect(npm?.source).toBe('run:npm');
    expect(npm?.client.address).toBe('127.0.0.1');
  });

  it('filters by an exact source, by a prefix ending in ":" and through the flags', async () => {
    const api = await captureFromSources(tempDir());
    const paths = (source: string) => api.list(api.filterFromFlags({ source })).map((summary) => new URL(summary.url).pathname);
    expect(paths('run:npm')).toEqual(['/npm']);
    expect(paths('run:')).toEqual(['/git', '/npm']);
    expect(paths('run')).toEqual([]);
    expect(paths('127.0.0.1')).toEqual(['/plain']);
  });

  it('list --source and --json rows carry it; show prints it', async () => {
    const dataDir = tempDir();
    await captureFromSources(dataDir);
    await proxy?.close();
    proxy = undefined;
    const listed = await runInProcess(runList, dataDir, { source: 'run:', json: true });
    expect(listed.code, listed.stderr).toBe(0);
    const rows = JSON.parse(listed.stdout) as Array<{ id: number; source: string }>;
    expect(rows.map((row) => row.source)).toEqual(['run:git', 'run:npm']);
    const shown = await runInProcess(runShow, dataDir, {}, [String(rows[1]!.id)]);
    expect(shown.stdout.split('\n')[0]).toContain('from run:npm (127.0.0.1)');
    const json = await runInProcess(runShow, dataDir, { json: true }, [String(rows[1]!.id)]);
    expect(JSON.parse(json.stdout)).toMatchObject({ source: 'run:npm' });
  });

  it('rows from before sources existed read as coming from their client address', async () => {
    const dataDir = tempDir();
    copyFileSync(path.join(import.meta.dirname, 'fixtures', 'history-v1.db'), path.join(dataDir, 'history.db'));
    origin = await startOrigin();
    const plugin = history();
    proxy = await startProxy({ dataDir, plugins: [plugin] });
    const api = plugin.api as HistoryApi;
    const old = api.list();
    expect(old.length).toBeGreaterThan(0);
    for (const summary of old) expect(summary.source).toBe(api.get(summary.id)?.client.address);
    expect(old.every((summary) => summary.source !== '')).toBe(true);
  });
});
