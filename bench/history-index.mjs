// node bench/history-index.mjs: what history's background search index costs and saves.
// 1. The burst: process CPU per exchange (proxy thread + writer thread) for 20,000 exchanges of
//    1 KiB JSON through the plugin's real onExchange tap, until the writer thread has written them
//    and closed (best of --rounds), minus the same loop with no storage. --plugin <dist/index.js>
//    runs another build (e.g. one without the background index) for a before/after.
// 2. At rest: wall and CPU time for the writer thread to index a tail of --rows rows once idle.
// 3. Searches over a tail of N unindexed rows (a fresh plugin on the closed file does not start
//    its writer, so nothing indexes it), and the same searches once indexed. In-process, loopback-free.
// Build first: npx -y pnpm@12.4.2 -C packages/plugin-history build.
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createProxyHooks } from '@capture/core';

const { values } = parseArgs({
  options: {
    plugin: { type: 'string' },
    rounds: { type: 'string', default: '3' },
    burst: { type: 'string', default: '20000' },
    tails: { type: 'string', default: '10000,20000,50000,100000' },
    only: { type: 'string' },
    'max-entries': { type: 'string', default: '10000' },
  },
});
const pluginUrl = values.plugin ? pathToFileURL(path.resolve(values.plugin)).href : '@capture/plugin-history';
const { history } = await import(pluginUrl);
const Database = createRequire(import.meta.resolve('@capture/plugin-history'))('better-sqlite3');

const words = ['alpha', 'bravo', 'charlie', 'delta', 'echo', 'foxtrot', 'golf', 'hotel', 'india', 'juliet', 'kilo', 'lima'];
/** About 1 KiB of JSON that differs per exchange, as an API's answers do. */
function body(id) {
  const items = [];
  for (let i = 0; items.join(',').length < 960; i++) items.push(`{"id":${id * 10 + i},"name":"${words[(id + i) % words.length]}-${(id * 7919 + i) % 100_000}","ok":${i % 2 === 0}}`);
  return Buffer.from(`[${items.join(',')}]`);
}
const exchange = (id) => {
  const bytes = body(id);
  return {
    id,
    client: { address: '127.0.0.1', port: 50_000 },
    tls: false,
    request: { method: 'GET', url: `http://127.0.0.1:8080/api/v1/items?id=${id}`, httpVersion: '1.1', headers: [['Host', '127.0.0.1:8080'], ['User-Agent', 'wrk'], ['Accept', '*/*']] },
    response: { statusCode: 200, statusMessage: 'OK', httpVersion: '1.1', headers: [['Content-Type', 'application/json'], ['Content-Length', String(bytes.length)], ['Date', new Date().toUTCString()]], body: { bytes, size: bytes.length, truncated: false, decoded: false } },
    timings: { startedAt: Date.now(), firstByte: 0.4, total: 0.6 },
    sizes: { requestBody: 0, responseBody: bytes.length },
    mocked: false,
    meta: {},
  };
};
const cpuMicros = () => {
  const cpu = process.cpuUsage();
  return cpu.user + cpu.system;
};
const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

/** Writes `count` exchanges through a plugin on `dataDir`; returns it (still open) and the CPU µs spent until they are on disk. */
async function writeBurst(dataDir, count, options, firstId = 0) {
  const hooks = createProxyHooks();
  const plugin = history({ flushInterval: 1000, batchSize: 1_000_000, ...options });
  await plugin.apply({ hooks, dataDir });
  const before = cpuMicros();
  for (let i = 0; i < count; i++) {
    await hooks.onExchange.promise(exchange(firstId + i));
    if (i % 500 === 499) plugin.api.flush();
  }
  await plugin.api.flush();
  return { hooks, plugin, cpu: cpuMicros() - before };
}

async function burst() {
  const count = Number(values.burst);
  let tailLeft = '';
  const run = async (withHistory) => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'capture-bench-index-'));
    const before = cpuMicros();
    if (withHistory) {
      const { hooks } = await writeBurst(dataDir, count, { maxEntries: Number(values['max-entries']) });
      await hooks.onClose.promise();
      const db = new Database(path.join(dataDir, 'history.db'), { readonly: true });
      const state = db.prepare("SELECT name FROM sqlite_master WHERE name = 'search_state'").get()
        ? db.prepare('SELECT count(*) AS kept, (SELECT count(*) FROM exchanges WHERE id > (SELECT indexed_through FROM search_state)) AS unindexed FROM exchanges').get()
        : db.prepare('SELECT count(*) AS kept, 0 AS unindexed FROM exchanges').get();
      db.close();
      tailLeft = `${state.kept} rows kept, ${state.unindexed} left unindexed at close`;
    } else {
      const hooks = createProxyHooks();
      hooks.onExchange.tap('nothing', () => {});
      for (let i = 0; i < count; i++) await hooks.onExchange.promise(exchange(i));
    }
    const cpu = (cpuMicros() - before) / count;
    rmSync(dataDir, { recursive: true, force: true });
    return cpu;
  };
  let on = Infinity;
  let off = Infinity;
  for (let round = 0; round < Number(values.rounds); round++) {
    on = Math.min(on, await run(true));
    off = Math.min(off, await run(false));
  }
  console.log(`burst: ${count} exchanges (1 KiB JSON, maxEntries ${values['max-entries']}): ${(on - off).toFixed(1)} µs CPU per stored exchange (best of ${values.rounds}; proxy thread + writer thread, close included; ${tailLeft})`);
}

/** Polls the file until the index's watermark reaches its newest row. */
async function indexedAll(file) {
  const db = new Database(file, { readonly: true });
  try {
    for (;;) {
      const { through, newest } = db.prepare('SELECT indexed_through AS through, (SELECT max(id) FROM exchanges) AS newest FROM search_state').get();
      if (through >= newest) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  } finally {
    db.close();
  }
}

async function timeSearches(plugin, label) {
  const searches = [
    ['absent text', { search: 'zz-not-there', limit: 50 }],
    ['rare word, limit 50', { search: 'lima-4242', limit: 50 }],
    ['common word, limit 50', { search: 'foxtrot', limit: 50 }],
  ];
  const parts = [];
  for (const [name, filter] of searches) {
    await plugin.api.listAsync(filter); // warm
    const times = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      await plugin.api.listAsync(filter);
      times.push(performance.now() - started);
    }
    parts.push(`${name} ${median(times).toFixed(1)} ms`);
  }
  console.log(`  ${label}: ${parts.join(', ')}`);
}

async function tails() {
  for (const rows of values.tails.split(',').map(Number)) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'capture-bench-index-'));
    try {
      const options = { maxEntries: 1_000_000 };
      // Closed right after the burst: nothing indexed (the indexer waits for the writer to idle).
      const first = await writeBurst(dataDir, rows, options);
      await first.hooks.onClose.promise();
      const file = path.join(dataDir, 'history.db');
      const check = new Database(file, { readonly: true });
      const unindexed = check.prepare('SELECT (SELECT max(id) FROM exchanges) - indexed_through FROM search_state').pluck().get();
      check.close();
      // A fresh plugin reads through its read worker; its writer starts with its first exchange.
      const hooks = createProxyHooks();
      const plugin = history(options);
      await plugin.apply({ hooks, dataDir });
      console.log(`tail of ${rows} rows (${unindexed} unindexed):`);
      await timeSearches(plugin, 'searches, tail unindexed');
      const cpuBefore = cpuMicros();
      const started = performance.now();
      await hooks.onExchange.promise(exchange(rows));
      await plugin.api.flush();
      await indexedAll(file);
      const wall = performance.now() - started;
      const cpu = cpuMicros() - cpuBefore;
      console.log(`  indexing the tail at rest: ${(wall / 1000).toFixed(2)} s wall (250 ms of it the idle wait), ${(cpu / rows).toFixed(1)} µs CPU per row`);
      await timeSearches(plugin, 'searches, all indexed');
      await hooks.onClose.promise();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

if (values.only !== 'tails') await burst();
if (values.only !== 'burst') await tails();
