import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { requestThroughProxy, type TestOrigin } from '@capture/core/testing';
import history from '@capture/plugin-history';
import type { ListResponse } from '../src/protocol.js';
import { api, startTestOrigin, startView, type ViewSetup } from './helpers/view.js';

// Issue 22 item 8: a search in the web view over a big history runs off the proxy's thread
// (history's read worker), so proxied requests are answered all through it.

/** History's own fixture script: appends synthetic rows with 1 KiB bodies to a history.db (it has better-sqlite3 at hand). */
const FILL = fileURLToPath(new URL('../../plugin-history/test/fixtures/fill-history.mjs', import.meta.url));

let setup: ViewSetup | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await setup?.close();
  await origin?.close();
  setup = origin = undefined;
});

describe('a slow search in the web view', () => {
  it('never holds proxied requests: they complete before the search does, with no gap near its length', async () => {
    setup = await startView({ plugins: [history({ flushInterval: 10, maxEntries: 1_000_000 })] });
    origin = await startTestOrigin();
    execFileSync(process.execPath, [FILL, path.join(setup.dataDir, 'history.db'), '200000'], { stdio: 'inherit' });
    // Warm the read worker and the page cache, so what is timed is the search.
    expect((await api(setup, '/api/exchanges?limit=1')).json<ListResponse>().exchanges).toHaveLength(1);

    const searchStarted = performance.now();
    let searchEnded = Infinity;
    // Two characters: history's search index cannot narrow them, so the search reads every row.
    const search = api(setup, `/api/exchanges?q=${encodeURIComponent('q~')}`).then((response) => {
      searchEnded = performance.now();
      return response;
    });
    const completions: number[] = [];
    for (let n = 0; n < 10_000 && searchEnded === Infinity; n++) {
      const response = await requestThroughProxy(setup.proxy.port, `${origin.url}/json?during=${n}`);
      expect(response.status).toBe(200);
      completions.push(performance.now());
    }
    const answer = await search;
    expect(answer.status).toBe(200);
    // The proxied requests made meanwhile are live rows the search does not match.
    expect(answer.json<ListResponse>().exchanges).toEqual([]);
    const searchTook = searchEnded - searchStarted;
    const gaps = completions.map((at, i) => at - (completions[i - 1] ?? searchStarted));
    // On the proxy's thread the search would hold every request for its whole length: none
    // would complete until it had (one at most, sent before the view read the search).
    expect(searchTook).toBeGreaterThan(100);
    expect(completions.length).toBeGreaterThan(3);
    expect(completions[0]!).toBeLessThan(searchEnded);
    expect(Math.max(...gaps)).toBeLessThan(searchTook / 2);
    console.log(`view search ${searchTook.toFixed(0)} ms over 200,000 exchanges; ${completions.length} proxied requests answered meanwhile, longest gap ${Math.max(...gaps).toFixed(1)} ms`);
  }, 120_000);
});
