// node bench/history.mjs: what @capture/plugin-history costs. 1 KiB keep-alive GETs through the
// capture proxy two ways: capture off (no plugins: nothing listens on onExchange) and with
// history() saving every request and response to a fresh history.db (SQLite, WAL, batched
// writes). Runs alternate over --rounds to spread a shared machine's noise; medians are reported,
// with the proxy's CPU per exchange (less blurred by a busy machine than requests/s). Target:
// history keeps at least 90% of the throughput. Load by wrk when installed, else autocannon.
// Options: --duration S, --connections N, --rounds N, --tool wrk|autocannon.
// Build first: npx -y pnpm@12.4.2 build.
// It first times what history costs per exchange in this process, on the proxying thread and in
// all (its writer thread included), with its onExchange tap called through the proxy's real hooks
// and exchanges shaped as the core builds them: figures a busy machine blurs far less.
import { execFile, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import { hasWrk, keepAliveLoader } from './lib/http-load.mjs';
import { createProxyHooks } from '@capture/core';
import history from '@capture/plugin-history';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, '..', '.bench');
mkdirSync(outDir, { recursive: true });

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    rounds: { type: 'string', default: '3' },
    tool: { type: 'string' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const rounds = Number(values.rounds);

const VARIANTS = [
  { name: 'capture off', variant: 'off' },
  { name: 'onExchange listener only', variant: 'listener' },
  { name: 'history on', variant: 'history' },
];

function start(script, args = []) {
  const child = fork(path.join(here, script), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, ready };
}

function ask(child, message) {
  return new Promise((resolve) => {
    child.once('message', resolve);
    child.send(message);
  });
}

function stop(child) {
  return new Promise((resolve) => {
    let reply;
    child.on('message', (message) => (reply = message));
    child.once('exit', () => resolve(reply));
    child.send('stop');
  });
}

/**
 * What history costs per exchange, timed in this process: on the proxying thread (its
 * `onExchange` tap building the row, and handing batches to the writer thread: every 500
 * exchanges here, every 200 ms in the proxy), as wall time of that loop; and in all, as the
 * process's CPU time until the writer thread has written everything (SQLite inserts and the
 * retention deletes once 10,000 are kept). Both minus the same loop through hooks with no
 * storage. Best of 5 rounds of 20,000 exchanges, each into a fresh history.db.
 */
async function storageCost(iterations = 20_000) {
  const body = Buffer.alloc(1024, 'x');
  const exchange = (id) => ({
    id,
    client: { address: '127.0.0.1', port: 50_000 },
    tls: false,
    request: { method: 'GET', url: `http://127.0.0.1:8080/api/v1/items?id=${id}`, httpVersion: '1.1', headers: [['Host', '127.0.0.1:8080'], ['User-Agent', 'wrk'], ['Accept', '*/*']] },
    response: { statusCode: 200, statusMessage: 'OK', httpVersion: '1.1', headers: [['Content-Type', 'text/plain'], ['Content-Length', '1024'], ['Date', new Date().toUTCString()]], body: { bytes: body, size: 1024, truncated: false, decoded: false } },
    timings: { startedAt: Date.now(), firstByte: 0.4, total: 0.6 },
    sizes: { requestBody: 0, responseBody: 1024 },
    mocked: false,
    meta: {},
  });
  const cpuMicros = () => {
    const cpu = process.cpuUsage();
    return cpu.user + cpu.system;
  };
  const round = async (withHistory) => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'capture-bench-history-'));
    const hooks = createProxyHooks();
    const plugin = history({ flushInterval: 1000, batchSize: 1_000_000 });
    // apply() only taps hooks and opens the file, so a stand-in proxy with the real hooks is enough.
    if (withHistory) await plugin.apply({ hooks, dataDir });
    else hooks.onExchange.tap('nothing', () => {});
    const cpuBefore = cpuMicros();
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      await hooks.onExchange.promise(exchange(i));
      if (withHistory && i % 500 === 499) plugin.api.flush();
    }
    const wall = Number(process.hrtime.bigint() - started) / 1000 / iterations;
    await hooks.onClose.promise(); // waits for the writer thread to write everything and close
    const cpu = (cpuMicros() - cpuBefore) / iterations;
    rmSync(dataDir, { recursive: true, force: true });
    return { wall, cpu };
  };
  const best = { with: { wall: Infinity, cpu: Infinity }, without: { wall: Infinity, cpu: Infinity } };
  for (let i = 0; i < 5; i++) {
    for (const [key, flag] of [['with', true], ['without', false]]) {
      const result = await round(flag);
      best[key].wall = Math.min(best[key].wall, result.wall);
      best[key].cpu = Math.min(best[key].cpu, result.cpu);
    }
  }
  return { thread: best.with.wall - best.without.wall, total: best.with.cpu - best.without.cpu };
}

const tool = values.tool ?? ((await hasWrk()) ? 'wrk' : 'autocannon');
const loader = keepAliveLoader(tool);
const load = (connectTo, requestTarget, seconds) => loader(connectTo, requestTarget, { connections, seconds, scratchDir: outDir });

const origin = start('origin-server.mjs');
const { port: originPort } = await origin.ready;
const target = `http://127.0.0.1:${originPort}/api/v1/items?id=42`;

/** One measured run: a fresh proxy (and a fresh history.db), 1 s of warm-up, then the load. */
async function measure({ variant }) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'capture-bench-history-'));
  try {
    const proxy = start('history-proxy-server.mjs', [variant, dataDir]);
    const { port } = await proxy.ready;
    const connectTo = `http://127.0.0.1:${port}`;
    const warm = await load(connectTo, target, 1);
    const before = await ask(proxy.child, 'mark');
    const result = await load(connectTo, target, duration);
    const after = await ask(proxy.child, 'mark');
    const stopped = await stop(proxy.child);
    const file = path.join(dataDir, 'history.db');
    const dbBytes = variant === 'history' ? statSync(file).size : 0;
    return {
      ...result,
      cpuPerExchange: (after.cpuMicros - before.cpuMicros) / result.requests,
      // Everything captured must be in the file: warm-up and measured requests (history keeps 10,000 by default).
      written: stopped.written,
      sent: warm.requests + result.requests,
      dbBytes,
    };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

console.log(`capture history bench: 1 KiB GETs, ${connections} keep-alive connections, ${duration} s per run, ${rounds} rounds, load by ${tool}`);
const storageMicros = await storageCost();
console.log(`history's cost per exchange (best of 5 x 20k): ${storageMicros.thread.toFixed(1)} µs on the proxying thread (row, hand-over), ${storageMicros.total.toFixed(1)} µs of CPU in all (writer thread: SQLite insert and retention)`);
await load(`http://127.0.0.1:${originPort}`, '/', 1); // warm up the origin
const runs = new Map(VARIANTS.map((variant) => [variant.name, []]));
for (let round = 0; round < rounds; round++) {
  // Rotate the order each round so no variant always runs first or last.
  const order = VARIANTS.map((_, index) => VARIANTS[(index + round) % VARIANTS.length]);
  for (const variant of order) {
    const result = await measure(variant);
    runs.get(variant.name).push(result);
    const kept = variant.variant === 'history' ? `, ${result.written} rows in history.db (${Math.min(result.sent, 10_000)} expected)` : '';
    console.log(`  round ${round + 1} ${variant.name}: ${Math.round(result.rps)} req/s, ${result.cpuPerExchange.toFixed(1)} µs CPU/exchange${kept}`);
  }
}
await stop(origin.child);

const median = (numbers) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const fmt = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const summary = VARIANTS.map((variant) => {
  const list = runs.get(variant.name);
  return {
    name: variant.name,
    rps: median(list.map((r) => r.rps)),
    p50: median(list.map((r) => r.p50)),
    p99: median(list.map((r) => r.p99)),
    cpuPerExchange: median(list.map((r) => r.cpuPerExchange)),
    errors: list.reduce((sum, r) => sum + r.errors, 0),
  };
});
const [off, , on] = summary;
console.log('\n| proxy | requests/s | p50 ms | p99 ms | CPU µs/exchange | errors |\n|---|---:|---:|---:|---:|---:|');
for (const row of summary) console.log(`| ${row.name} | ${Math.round(row.rps)} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${row.cpuPerExchange.toFixed(1)} | ${row.errors} |`);
const ratio = on.rps / off.rps;
console.log(`\nthroughput with history on: ${(ratio * 100).toFixed(1)}% of capture off (target >= 90%); CPU per exchange +${(on.cpuPerExchange - off.cpuPerExchange).toFixed(1)} µs`);
const lost = runs.get('history on').filter((r) => r.written < Math.min(r.sent, 10_000));
if (lost.length) console.log(`warning: ${lost.length} history run(s) saved fewer rows than were captured`);
console.log(ratio >= 0.9 ? 'target met' : 'target NOT met');
const result = { tool, connections, duration, rounds, storageMicros, summary, ratio, runs: Object.fromEntries(runs), node: process.version, date: new Date().toISOString() };
writeFileSync(path.join(outDir, 'history-result.json'), JSON.stringify(result, null, 2));
