import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history from '@capture/plugin-history';
import openapi from '../src/index.js';

// plugin-openapi inside a running proxy (the web view's export) reads history through history's
// async API, on its read worker: a slow read of a big history never holds proxied requests.

/** History's own fixture: appends synthetic exchanges (1 KiB bodies) to a migrated history.db. */
const FILL = path.join(import.meta.dirname, '../../plugin-history/test/fixtures/fill-history.mjs');
let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
let dataDir: string | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  proxy = origin = dataDir = undefined;
});

describe('openapi reads history off the proxy thread', () => {
  it('fromHistory over 200,000 exchanges keeps proxied requests prompt while its slow read runs', async () => {
    origin = await startOrigin((req, res) => {
      req.resume();
      res.end('ok');
    });
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'capture-openapi-'));
    const plugin = openapi();
    proxy = await startProxy({ dataDir, plugins: [history({ flushInterval: 10, maxEntries: 1_000_000 }), plugin] });
    const api = plugin.api!;
    execFileSync(process.execPath, [FILL, path.join(dataDir, 'history.db'), '200000'], { stdio: 'inherit' });
    // Warm the read worker (and the page cache) so what is timed below is the slow read alone.
    expect((await api.fromHistory({ limit: 1 })).used).toBe(1);

    const started = performance.now();
    let ended = Infinity;
    // A search that matches nothing reads every body (about 200 MB): 2 characters, which history's
    // search index cannot narrow (a longer text would be answered by the index at once).
    const generated = api.fromHistory({ search: 'q~' }).then((result) => {
      ended = performance.now();
      return result;
    });
    const completions: number[] = [];
    for (let n = 0; n < 10_000 && ended === Infinity; n++) {
      const response = await requestThroughProxy(proxy.port, `${origin.url}/during/${n}`);
      expect(response.status).toBe(200);
      completions.push(performance.now());
    }
    expect((await generated).used).toBe(0);
    const took = ended - started;
    // The read is slow enough to matter, and proxied requests were answered all through it (a
    // read on the proxy's thread holds them all for its whole duration).
    expect(took).toBeGreaterThan(100);
    expect(completions.length).toBeGreaterThan(3);
    expect(completions[0]!).toBeLessThan(ended);
    const gaps = completions.map((at, i) => at - (completions[i - 1] ?? started));
    expect(Math.max(...gaps)).toBeLessThan(took / 2);
    console.log(`openapi fromHistory read ${took.toFixed(0)} ms; ${completions.length} proxied requests meanwhile, longest gap ${Math.max(...gaps).toFixed(1)} ms`);
  }, 120_000);

  it('fromHistory says what is missing without a history plugin', async () => {
    const plugin = openapi();
    proxy = await startProxy({ plugins: [plugin] });
    await expect(plugin.api!.fromHistory()).rejects.toThrow('openapi: needs the history plugin (@capture/plugin-history) in the proxy');
  });
});
