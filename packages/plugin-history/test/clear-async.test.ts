import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history from '../src/index.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

// clearAsync: in a running proxy the writer thread deletes history, so clearing a big one (the
// web view's Clear) never holds proxied requests; outside a proxy it clears on the calling thread.

const FILL = path.join(import.meta.dirname, 'fixtures', 'fill-history.mjs');
let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
  cleanupAll();
});

describe('clearAsync', () => {
  it('deletes 50,000 exchanges on the writer thread while proxied requests stay prompt, and capture goes on after it', async () => {
    origin = await startOrigin((req, res) => {
      req.resume();
      res.end('ok');
    });
    const dataDir = tempDir();
    const plugin = history({ flushInterval: 10, maxEntries: 1_000_000 });
    proxy = await startProxy({ dataDir, plugins: [plugin] });
    const api = plugin.api!;
    execFileSync(process.execPath, [FILL, path.join(dataDir, 'history.db'), '50000'], { stdio: 'inherit' });

    const started = performance.now();
    let ended = Infinity;
    const clearing = api.clearAsync().then((deleted) => {
      ended = performance.now();
      return deleted;
    });
    const completions: number[] = [];
    for (let n = 0; n < 10_000 && ended === Infinity; n++) {
      expect((await requestThroughProxy(proxy.port, `${origin.url}/during/${n}`)).status).toBe(200);
      completions.push(performance.now());
    }
    const deleted = await clearing;
    // Every filled row, and those proxied meanwhile that were written before the clear ran.
    expect(deleted).toBeGreaterThanOrEqual(50_000);
    const took = ended - started;
    expect(took).toBeGreaterThan(100);
    expect(completions.length).toBeGreaterThan(3);
    expect(completions[0]!).toBeLessThan(ended);
    const gaps = completions.map((at, i) => at - (completions[i - 1] ?? started));
    // A clear on the proxying thread would stall it for the whole clear; other test files on a
    // shared machine can stretch one gap, never to most of it.
    expect(Math.max(...gaps)).toBeLessThan(took * 0.75);
    console.log(`clearAsync of 50,000 exchanges ${took.toFixed(0)} ms; ${completions.length} proxied requests meanwhile, longest gap ${Math.max(...gaps).toFixed(1)} ms`);

    await requestThroughProxy(proxy.port, `${origin.url}/after`);
    await api.flush();
    const urls = (await api.listAsync()).map((row) => new URL(row.url).pathname);
    expect(urls[0]).toBe('/after');
    expect(urls.some((url) => url.startsWith('/items/'))).toBe(false);
  }, 120_000);

  it('outside a proxy clears on the calling thread, as clear does', async () => {
    origin = await startOrigin((req, res) => {
      req.resume();
      res.end('ok');
    });
    const dataDir = tempDir();
    const plugin = history({ flushInterval: 10 });
    proxy = await startProxy({ dataDir, plugins: [plugin] });
    await requestThroughProxy(proxy.port, `${origin.url}/one`);
    await proxy.close();
    proxy = undefined;
    const api = plugin.api!;
    expect(await api.clearAsync()).toBe(1);
    expect(api.list()).toEqual([]);
  });
});
