// node bench/filters.mjs: what @capture/plugin-filters costs. 1 KiB keep-alive GETs through the
// capture proxy (with an onExchange listener, as storage plugins use it) three ways: without the
// filters plugin, with filters() and no rules (media handling only), and with a representative rule
// set that the request passes (so every rule is evaluated and the exchange is still captured: the
// dearest path). Runs alternate over --rounds to spread a shared machine's noise; medians are
// reported. Load by wrk when installed, else autocannon. Options: --duration S, --connections N,
// --rounds N, --tool wrk|autocannon. Build first: npx -y pnpm@12.4.2 build.
// It first times the decision alone in this process (the filters' taps called through the proxy's
// real hooks, as the core calls them per exchange), which a busy machine does not blur.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hasWrk, keepAliveLoader } from './lib/http-load.mjs';
import { createProxyHooks } from '@capture/core';
import filters from '@capture/plugin-filters';

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

/** Rules as a user who captures one app's API would set them; the benchmark's URL passes them all. */
const RULES = {
  excludeAssets: true,
  include: ['/\\/v[0-9]+\\/items/', '/api/'],
  exclude: ['/analytics|telemetry/i', 'tracking', '/\\.map$/'],
  methods: 'GET, POST, PUT, PATCH, DELETE',
};
const VARIANTS = [
  { name: 'no filters plugin', args: ['none'] },
  { name: 'filters(), no rules', args: ['default'] },
  { name: 'filters, rule set', args: ['rules', JSON.stringify(RULES)] },
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
 * Nanoseconds per exchange that the filters' taps add: `onRequest` (when tapped) then `onResponse`
 * called through the proxy's real hooks (tapable, with the core's error interceptors) with exchanges
 * shaped as the core builds them, minus the same loop without the plugin, where the core calls
 * neither hook. Best of 7 rounds of 200k.
 */
async function decisionCost(options, iterations = 200_000) {
  const url = 'http://127.0.0.1:8080/api/v1/items?id=42';
  const headers = [['Content-Type', 'text/plain'], ['Content-Length', '1024'], ['Date', new Date().toUTCString()]];
  let sink;
  const time = async (hooks) => {
    const started = process.hrtime.bigint();
    for (let i = 0; i < iterations; i++) {
      const exchange = { id: i, request: { method: 'GET', url, headers: [] }, response: { statusCode: 200, statusMessage: 'OK', headers }, meta: {} };
      sink = exchange; // keeps the allocation from being optimised away in the loop without hooks
      if (!hooks) continue;
      if (hooks.onRequest.isUsed()) await hooks.onRequest.promise({ exchange, outgoing: { method: 'GET', url, headers: [] } });
      await hooks.onResponse.promise({ exchange, outgoing: { statusCode: 200, statusMessage: 'OK', headers }, skipBody: () => {} });
      if (exchange.skip) throw new Error('the benchmark exchange was filtered: the rules must let it pass');
    }
    return Number(process.hrtime.bigint() - started) / iterations;
  };
  const hooks = createProxyHooks();
  // apply() only taps hooks, so a stand-in proxy with the real hooks is enough here.
  await filters(options).apply({ hooks });
  let withPlugin = Infinity;
  let without = Infinity;
  for (let round = 0; round < 7; round++) {
    withPlugin = Math.min(withPlugin, await time(hooks));
    without = Math.min(without, await time(undefined));
  }
  return sink ? withPlugin - without : NaN;
}

const tool = values.tool ?? ((await hasWrk()) ? 'wrk' : 'autocannon');
const loader = keepAliveLoader(tool);
const load = (connectTo, requestTarget, seconds) => loader(connectTo, requestTarget, { connections, seconds, scratchDir: outDir });

const origin = start('origin-server.mjs');
const { port: originPort } = await origin.ready;
const target = `http://127.0.0.1:${originPort}/api/v1/items?id=42`;

/** One measured run: a fresh proxy, 1 s of warm-up (JIT, pooled sockets), then the load. */
async function measure(variant) {
  const proxy = start('filters-proxy-server.mjs', variant.args);
  const { port } = await proxy.ready;
  const connectTo = `http://127.0.0.1:${port}`;
  await load(connectTo, target, 1);
  const before = await ask(proxy.child, 'mark');
  const result = await load(connectTo, target, duration);
  const after = await ask(proxy.child, 'mark');
  await stop(proxy.child);
  const exchanges = after.exchanges - before.exchanges;
  const skipped = after.skipped - before.skipped;
  return { ...result, exchanges, skipped, cpuPerExchange: (after.cpuMicros - before.cpuMicros) / (exchanges + skipped) };
}

console.log(`capture filters bench: 1 KiB GETs of ${target.replace(/^http:\/\/[^/]+/, '')}, ${connections} keep-alive connections,`);
console.log(`${duration} s per run, ${rounds} rounds, load by ${tool}; rule set: ${JSON.stringify(RULES)}`);
const decision = { none: await decisionCost({}), rules: await decisionCost(RULES) };
console.log(`decision cost per exchange (hooks included, best of 7 x 200k): filters() ${decision.none.toFixed(0)} ns, rule set ${decision.rules.toFixed(0)} ns`);
await load(`http://127.0.0.1:${originPort}`, '/', 1); // warm up the origin
const runs = new Map(VARIANTS.map((variant) => [variant.name, []]));
for (let round = 0; round < rounds; round++) {
  // Rotate the order each round so no variant always runs first or last.
  const order = VARIANTS.map((_, index) => VARIANTS[(index + round) % VARIANTS.length]);
  for (const variant of order) {
    const result = await measure(variant);
    runs.get(variant.name).push(result);
    console.log(`  round ${round + 1} ${variant.name}: ${Math.round(result.rps)} req/s, ${result.cpuPerExchange.toFixed(1)} µs CPU/exchange`);
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
    skipped: list.reduce((sum, r) => sum + r.skipped, 0),
  };
});
const base = summary[0];
const delta = (value, reference) => `${value >= reference ? '+' : ''}${(((value - reference) / reference) * 100).toFixed(1)}%`;
console.log('\n| proxy | requests/s | p50 ms | p99 ms | CPU µs/exchange | vs no filters (req/s, CPU) | errors |\n|---|---:|---:|---:|---:|---|---:|');
for (const row of summary) {
  const versus = row === base ? '—' : `${delta(row.rps, base.rps)}, ${delta(row.cpuPerExchange, base.cpuPerExchange)}`;
  console.log(`| ${row.name} | ${Math.round(row.rps)} | ${fmt(row.p50)} | ${fmt(row.p99)} | ${row.cpuPerExchange.toFixed(1)} | ${versus} | ${row.errors} |`);
}
// The request passes every rule, so nothing may be filtered: a filtered exchange would be cheaper
// (no capture) and flatter the figure.
if (summary.some((row) => row.skipped > 0)) console.log('warning: some exchanges were filtered; the figures are not comparable');
const result = { tool, connections, duration, rounds, rules: RULES, decisionNanos: decision, summary, runs: Object.fromEntries(runs), node: process.version, date: new Date().toISOString() };
writeFileSync(path.join(outDir, 'filters-result.json'), JSON.stringify(result, null, 2));
