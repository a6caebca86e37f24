// pnpm bench:core: 1 KiB keep-alive GETs, direct to an origin and through the capture proxy, with a
// real load generator (wrk when installed, else autocannon). Prints requests/s, p50 and p99 for
// both, the proxy's peak RSS and the ratio to direct. Options: --duration S, --connections N,
// --cpu-prof (writes the proxy's CPU profile to .bench/).
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hasWrk, keepAliveLoader } from './lib/http-load.mjs';
import { peakRssMiB } from './lib/proc.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, '..', '.bench');
mkdirSync(outDir, { recursive: true });

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    'cpu-prof': { type: 'boolean', default: false },
    tool: { type: 'string' },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);

function start(script, execArgv = []) {
  const child = fork(path.join(here, script), { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ready = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, ready };
}

function stop(child) {
  return new Promise((resolve) => {
    let reply;
    child.on('message', (message) => (reply = message));
    child.once('exit', () => resolve(reply));
    child.send('stop');
  });
}

const tool = values.tool ?? ((await hasWrk()) ? 'wrk' : 'autocannon');
const loader = keepAliveLoader(tool);
const load = (connectTo, requestTarget, seconds) => loader(connectTo, requestTarget, { connections, seconds, scratchDir: outDir });

const origin = start('origin-server.mjs');
const { port: originPort } = await origin.ready;
const originUrl = `http://127.0.0.1:${originPort}/`;
const proxyArgs = values['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${outDir}`] : [];
const proxy = start('core-proxy-server.mjs', proxyArgs);
const { port: proxyPort } = await proxy.ready;

console.log(`capture bench: 1 KiB GETs, ${connections} keep-alive connections, ${duration} s each, load by ${tool}`);
await load(originUrl, '/', 1); // warm up the origin
const direct = await load(originUrl, '/', duration);
await load(`http://127.0.0.1:${proxyPort}`, originUrl, 1); // warm up the proxy (JIT, pooled sockets)
const proxied = await load(`http://127.0.0.1:${proxyPort}`, originUrl, duration);
const peakRss = peakRssMiB(proxy.child.pid);
const { exchanges, cpuMicros } = (await stop(proxy.child)) ?? {};
// CPU time per exchange is steadier than requests/s on a shared machine: it does not move when a
// neighbour takes a core.
const cpuPerExchange = exchanges ? cpuMicros / exchanges : undefined;
await stop(origin.child);

const fmt = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const rows = [
  ['direct', Math.round(direct.rps), fmt(direct.p50), fmt(direct.p99), direct.errors],
  ['capture', Math.round(proxied.rps), fmt(proxied.p50), fmt(proxied.p99), proxied.errors],
];
console.log('\n| target | requests/s | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|');
for (const row of rows) console.log(`| ${row.join(' | ')} |`);
const ratio = proxied.rps / direct.rps;
const p99Ratio = proxied.p99 / direct.p99;
console.log(`\nthroughput through capture: ${(ratio * 100).toFixed(1)}% of direct (target >= 25%)`);
console.log(`p99 through capture: ${p99Ratio.toFixed(2)}x direct (target <= 5x)`);
console.log(`proxy peak RSS: ${peakRss ?? 'n/a'} MiB; exchanges emitted to onExchange: ${exchanges}; proxy CPU per exchange: ${cpuPerExchange?.toFixed(1)} µs`);
if (values['cpu-prof']) console.log(`CPU profile written to ${outDir}`);
const result = { tool, connections, duration, direct, proxied, ratio, p99Ratio, peakRssMiB: peakRss, exchanges, cpuPerExchangeMicros: cpuPerExchange, node: process.version, date: new Date().toISOString() };
writeFileSync(path.join(outDir, 'core-result.json'), JSON.stringify(result, null, 2));
const pass = ratio >= 0.25 && p99Ratio <= 5;
console.log(pass ? 'targets met' : 'targets NOT met');
