import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history from '../src/index.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

// The async reads: served by the read worker in a running proxy, the same answers as the
// synchronous API; outside a proxy, read on the calling thread.

const FILL = path.join(import.meta.dirname, 'fixtures', 'fill-history.mjs');
let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
  cleanupAll();
});

describe('async history reads', () => {
  it('answer as the synchronous reads do, bodies as Buffers, in a running proxy and after it closed', async () => {
    origin = await startOrigin((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    });
    const dataDir = tempDir();
    const plugin = history({ flushInterval: 10 });
    proxy = await startProxy({ dataDir, plugins: [plugin] });
    const api = plugin.api!;
    await requestThroughProxy(proxy.port, `${origin.url}/one`);
    await requestThroughProxy(proxy.port, `${origin.url}/two`, { method: 'POST', body: 'x=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    await api.flush();
    await vi.waitFor(async () => expect(await api.listAsync()).toHaveLength(2));
    expect(await api.listAsync({ search: 'x=1' })).toEqual(api.list({ search: 'x=1' }));
    const [first, second] = await api.exchangesAsync();
    expect(Buffer.isBuffer(second!.request.body!.bytes)).toBe(true);
    expect(second!.request.body!.bytes.toString()).toBe('x=1');
    expect(second!.response!.body!.bytes.toString()).toBe('{"ok":true}');
    expect(await api.getAsync(first!.id)).toEqual(api.get(first!.id));
    expect(await api.getAsync(999)).toBeUndefined();
    await proxy.close();
    proxy = undefined;
    // Outside the proxy: the same reads, on this thread, from the file the proxy used.
    expect((await api.listAsync()).map((row) => row.id)).toEqual([second!.id, first!.id]);
    expect((await api.getAsync(second!.id))!.request.body!.bytes.toString()).toBe('x=1');
  });

  it('keep proxied requests prompt while a slow search over 200,000 exchanges runs', async () => {
    origin = await startOrigin((req, res) => {
      req.resume();
      res.end('ok');
    });
    const dataDir = tempDir();
    const plugin = history({ flushInterval: 10, maxEntries: 1_000_000 });
    proxy = await startProxy({ dataDir, plugins: [plugin] });
    const api = plugin.api!;
    execFileSync(process.execPath, [FILL, path.join(dataDir, 'history.db'), '200000'], { stdio: 'inherit' });
    // Warm the worker (and the page cache) so what is timed below is the search alone.
    expect(await api.listAsync({ limit: 1 })).toHaveLength(1);

    const searchStarted = performance.now();
    let searchEnded = Infinity;
    // Two characters: the search index cannot narrow them, so the search reads every row.
    const search = api.listAsync({ search: 'q~' }).then((rows) => {
      searchEnded = performance.now();
      return rows;
    });
    const completions: number[] = [];
    // Requests one after another for as long as the search runs (bounded).
    for (let n = 0; n < 10_000 && searchEnded === Infinity; n++) {
      const response = await requestThroughProxy(proxy.port, `${origin.url}/during/${n}`);
      expect(response.status).toBe(200);
      completions.push(performance.now());
    }
    expect(await search).toEqual([]);
    const searchTook = searchEnded - searchStarted;
    // The search is slow enough to matter, and proxied requests were answered all through it:
    // the first completed long before the search did, and no gap between two answers came near
    // the search's time (a search on the proxy's thread holds them all for its whole duration).
    expect(searchTook).toBeGreaterThan(100);
    expect(completions.length).toBeGreaterThan(3);
    expect(completions[0]!).toBeLessThan(searchEnded);
    const gaps = completions.map((at, i) => at - (completions[i - 1] ?? searchStarted));
    expect(Math.max(...gaps)).toBeLessThan(searchTook / 2);
    console.log(`search ${searchTook.toFixed(0)} ms; ${completions.length} proxied requests meanwhile, longest gap ${Math.max(...gaps).toFixed(1)} ms`);
  }, 120_000);
});
