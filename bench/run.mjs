// pnpm bench: capture side by side with direct (no proxy), mitmproxy and http-mitm-proxy, in one run.
// Scenarios (--only picks some, comma-separated):
//   http            1 KiB keep-alive GETs over HTTP, 50 connections (wrk, else autocannon)
//   https           1 KiB keep-alive GETs over HTTPS, through CONNECT when proxied (Node's TLS client)
//   new-hosts       200 new HTTPS host names, 10 at a time: TCP, CONNECT, TLS, one GET each
//   download-http   one 512 MiB download over HTTP (curl)
//   download-https  one 512 MiB download over HTTPS (curl)
//   h2              1 KiB GETs over HTTP/2 (TLS, h2 negotiated on both legs), 50 concurrent streams
//                   on 5 connections (Node's http2 client)
//   grpc            gRPC unary calls (1 KiB answers) with @grpc/grpc-js, 10 in flight on each of 5
//                   channels, through CONNECT when proxied
// http-mitm-proxy speaks HTTP/1.1 only, so it has no h2 or grpc column.
// capture runs as `capture start` with its default plugins (https, filters, grpc, websocket,
// history saving responses, the web view, openapi) in a temporary CAPTURE_HOME and TMPDIR; mitmdump streams bodies over 1 MiB with
// its own confdir;
// http-mitm-proxy is a minimal forwarding script. Each proxy is its own child process, started
// fresh for each scenario, so its peak RSS (VmHWM) and CPU time (/proc) belong to that scenario.
// Clients verify certificates: the origin's directly, each proxy's own CA through it; proxies
// verify the origin. Targets alternate within rounds (order rotated each round) and medians are
// reported, because the machine is shared. The table goes to the console and to
// bench/results/latest.md; raw figures to .bench/comparison.json.
// Options: --duration S (per keep-alive run, 5), --rounds N (3), --connections N (50), --hosts N
// (200), --concurrency N (10), --new-hosts-limit S (20: no new name is started after that), --size
// MiB (512), --h2-sessions N (5), --h2-streams N (10 per session; also gRPC channels and calls in
// flight per channel), --only LIST, --skip-peers, --cpu-prof (capture's CPU profiles to .bench/prof/),
// --tool wrk|autocannon, --out FILE, --render .bench/comparison.json (the page again, no run).
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { cpuSeconds, peakRssMiB, waitUntilIdle } from './lib/proc.mjs';
import { download, hasWrk, keepAliveLoader } from './lib/http-load.mjs';
import { newHosts, tlsKeepAlive } from './lib/tls-load.mjs';
import { h2KeepAlive } from './lib/h2-load.mjs';
import { grpcUnary } from './lib/grpc-load.mjs';
import { ensureDebianTool, startCapture, startHttpMitmProxy, startMitmproxy } from './lib/targets.mjs';
import { goals, median, page } from './lib/report.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoDir = path.join(here, '..');
const scratchDir = path.join(repoDir, '.bench');
mkdirSync(scratchDir, { recursive: true });

const SCENARIOS = {
  http: { title: 'HTTP keep-alive 1 KiB GETs', kind: 'requests', unit: 'req/s' },
  https: { title: 'HTTPS keep-alive 1 KiB GETs', kind: 'requests', unit: 'req/s' },
  'new-hosts': { title: 'new HTTPS hosts', kind: 'requests', unit: 'hosts/s' },
  'download-http': { title: 'download over HTTP', kind: 'download', unit: 'MiB/s' },
  'download-https': { title: 'download over HTTPS', kind: 'download', unit: 'MiB/s' },
  h2: { title: 'HTTP/2 1 KiB GETs', kind: 'requests', unit: 'req/s', http2: true },
  grpc: { title: 'gRPC unary calls', kind: 'requests', unit: 'calls/s', http2: true },
};

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
    hosts: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '10' },
    'new-hosts-limit': { type: 'string', default: '20' },
    size: { type: 'string', default: '512' },
    'h2-sessions': { type: 'string', default: '5' },
    'h2-streams': { type: 'string', default: '10' },
    only: { type: 'string' },
    'skip-peers': { type: 'boolean', default: false },
    'cpu-prof': { type: 'boolean', default: false },
    tool: { type: 'string' },
    out: { type: 'string', default: path.join(here, 'results', 'latest.md') },
    render: { type: 'string' },
  },
});
// --render FILE: the page again from a saved .bench/comparison.json (e.g. after changing the
// report's layout), without running anything.
if (values.render) {
  const saved = JSON.parse(readFileSync(values.render, 'utf8'));
  writeFileSync(values.out, page(saved));
  console.log(`rendered ${values.render} to ${values.out}`);
  process.exit(0);
}
const numberOption = (name, min) => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < min) {
    console.error(`bench: --${name} expects a number >= ${min}, got ${JSON.stringify(values[name])}`);
    process.exit(2);
  }
  return value;
};
const duration = numberOption('duration', 1);
const rounds = numberOption('rounds', 1);
const connections = numberOption('connections', 1);
const hostCount = numberOption('hosts', 1);
const concurrency = numberOption('concurrency', 1);
const newHostsLimit = numberOption('new-hosts-limit', 1);
const sizeMiB = numberOption('size', 1);
const h2Sessions = numberOption('h2-sessions', 1);
const h2Streams = numberOption('h2-streams', 1);
const downloadBytes = Math.round(sizeMiB * 1048576);
const only = values.only ? values.only.split(',').map((s) => s.trim()).filter(Boolean) : Object.keys(SCENARIOS);
const unknown = only.filter((id) => !SCENARIOS[id]);
if (unknown.length) {
  console.error(`bench: --only: unknown scenario ${unknown.map((id) => JSON.stringify(id)).join(', ')}; expected ${Object.keys(SCENARIOS).join(', ')}`);
  process.exit(2);
}
if (values.tool && values.tool !== 'wrk' && values.tool !== 'autocannon') {
  console.error(`bench: --tool expects wrk or autocannon, got ${JSON.stringify(values.tool)}`);
  process.exit(2);
}

const began = Date.now();
const loadAtStart = os.loadavg();
const workDir = mkdtempSync(path.join(os.tmpdir(), 'capture-bench-'));
const notes = [];

// Tools: wrk for HTTP load (autocannon when it cannot be had), mitmdump for the mitmproxy column.
let tool = values.tool;
if (!tool && only.includes('http')) {
  if (!(await hasWrk())) {
    const why = await ensureDebianTool('wrk', 'wrk');
    if (why) notes.push(`wrk unavailable (${why}): HTTP keep-alive load by autocannon, in the benchmark process`);
  }
  tool = (await hasWrk()) ? 'wrk' : 'autocannon';
}
const loadHttp = keepAliveLoader(tool ?? 'wrk');
let mitmproxySkipped = values['skip-peers'] ? 'skipped (--skip-peers)' : await ensureDebianTool('mitmdump', 'mitmproxy');
if (mitmproxySkipped && !values['skip-peers']) notes.push(`mitmproxy column skipped: ${mitmproxySkipped}`);

/** The origin's certificate: self-signed for localhost, *.bench.test and 127.0.0.1. */
const keyFile = path.join(workDir, 'origin-key.pem');
const certFile = path.join(workDir, 'origin.pem');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2',
  '-subj', '/CN=capture bench origin', '-addext', 'subjectAltName=DNS:localhost,DNS:*.bench.test,IP:127.0.0.1'], { stdio: 'ignore' });
const originCa = readFileSync(certFile, 'utf8');

const origin = fork(path.join(here, 'servers', 'origin.mjs'), [keyFile, certFile], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const { httpPort, httpsPort, h2Port, grpcPort } = await new Promise((resolve, reject) => {
  origin.once('message', resolve);
  origin.once('exit', (code) => reject(new Error(`the origin exited with ${code}`)));
});
const HTTPS_NAME = 'origin.bench.test';

/** The targets of one scenario, in table order; start() resolves with a running proxy (direct has none). */
function targetList(scenarioId) {
  const list = [
    { name: 'direct' },
    {
      name: 'capture',
      start: () => startCapture({
        dataDir: mkdtempSync(path.join(workDir, 'capture-home-')),
        originCertFile: certFile,
        cpuProfDir: values['cpu-prof'] ? path.join(scratchDir, 'prof', scenarioId) : undefined,
      }),
    },
  ];
  if (values['skip-peers']) return list;
  if (mitmproxySkipped) list.push({ name: 'mitmproxy', skipped: mitmproxySkipped });
  else list.push({ name: 'mitmproxy', start: () => startMitmproxy({ confDir: mkdtempSync(path.join(workDir, 'mitmproxy-')), originCertFile: certFile }) });
  if (SCENARIOS[scenarioId].http2) list.push({ name: 'http-mitm-proxy', skipped: 'not run: it speaks HTTP/1.1 only' });
  else list.push({ name: 'http-mitm-proxy', start: () => startHttpMitmProxy({ caDir: mkdtempSync(path.join(workDir, 'http-mitm-proxy-')), originCertFile: certFile }) });
  return list;
}

const names = (prefix, count) => Array.from({ length: count }, (_, i) => `${prefix}-${i}.bench.test`);

/** One measured run of `scenarioId` against `target` (its `proxy` when it has one). */
async function measure(scenarioId, target, { warm = false, round = 0 } = {}) {
  const proxy = target.proxy;
  const seconds = warm ? 1 : duration;
  switch (scenarioId) {
    case 'http': {
      const originUrl = `http://127.0.0.1:${httpPort}/`;
      const result = proxy
        ? await loadHttp(`http://127.0.0.1:${proxy.port}`, originUrl, { connections, seconds, scratchDir })
        : await loadHttp(`http://127.0.0.1:${httpPort}`, '/', { connections, seconds, scratchDir });
      return { rate: result.rps, p50: result.p50, p99: result.p99, units: result.requests, errors: result.errors };
    }
    case 'https': {
      const result = await tlsKeepAlive({ originPort: httpsPort, proxyPort: proxy?.port, ca: proxy ? proxy.caPem : originCa }, { connections, seconds, name: HTTPS_NAME });
      return { rate: result.rps, p50: result.p50, p99: result.p99, units: result.requests, errors: result.errors };
    }
    case 'h2': {
      // One stream first, so the first contact with the origin (ALPN, session) is not 50 at once.
      if (warm) await h2KeepAlive({ originPort: h2Port, proxyPort: proxy?.port, ca: proxy ? proxy.caPem : originCa }, { sessions: 1, streams: 1, seconds: 0.2, name: HTTPS_NAME });
      const result = await h2KeepAlive({ originPort: h2Port, proxyPort: proxy?.port, ca: proxy ? proxy.caPem : originCa },
        { sessions: h2Sessions, streams: h2Streams, seconds, name: HTTPS_NAME });
      if (result.failure && !warm) console.log(`    ${target.name}: ${result.failure}`);
      return { rate: result.rps, p50: result.p50, p99: result.p99, units: result.requests, errors: result.errors };
    }
    case 'grpc': {
      const result = await grpcUnary({ originPort: grpcPort, proxyPort: proxy?.port, ca: proxy ? proxy.caPem : originCa, name: 'localhost' },
        { channels: h2Sessions, inflight: h2Streams, seconds });
      return { rate: result.rps, p50: result.p50, p99: result.p99, units: result.requests, errors: result.errors };
    }
    case 'new-hosts': {
      const list = warm ? names('warm', 2 * concurrency) : names(`round${round}`, hostCount);
      const result = await newHosts({ originPort: httpsPort, proxyPort: proxy?.port, ca: proxy ? proxy.caPem : originCa }, list, { concurrency, limitSeconds: newHostsLimit });
      const shortNote = !warm && result.done + result.errors < hostCount ? `${result.done} of ${hostCount} in ${newHostsLimit} s` : undefined;
      return { rate: result.rate, p50: result.p50, p99: result.p99, units: result.done, errors: result.errors, shortNote };
    }
    case 'download-http':
    case 'download-https': {
      const bytes = warm ? 16 * 1048576 : downloadBytes;
      const secure = scenarioId === 'download-https';
      const url = secure ? `https://${HTTPS_NAME}:${httpsPort}/download/${bytes}` : `http://127.0.0.1:${httpPort}/download/${bytes}`;
      const result = await download(url, {
        proxyPort: proxy?.port,
        caFile: secure ? (proxy ? proxy.caFile : certFile) : undefined,
        resolve: `${HTTPS_NAME}:${httpsPort}:127.0.0.1`,
      });
      if (result.message && !warm) console.log(`    ${target.name}: ${result.message}`);
      const complete = result.bytes === bytes;
      return { rate: complete ? result.mbps : 0, seconds: result.seconds, ttfb: result.ttfb, units: result.bytes / 1073741824, errors: complete ? 0 : 1 };
    }
    default:
      throw new Error(`unknown scenario ${scenarioId}`);
  }
}

/** Runs one scenario: fresh proxies, a warm-up each, `rounds` alternating rounds (each proxy idle before the next runs), medians. */
async function runScenario(scenarioId) {
  const scenario = SCENARIOS[scenarioId];
  console.log(`\n${scenario.title}`);
  const targets = targetList(scenarioId);
  for (const target of targets) {
    if (!target.start) continue;
    try {
      target.proxy = await target.start();
      target.proxy.caPem = readFileSync(target.proxy.caFile, 'utf8');
    } catch (error) {
      target.skipped = `did not start: ${error.message.split('\n')[0]}`;
      console.log(`  ${target.name} ${target.skipped}`);
      notes.push(`${scenario.title}: ${target.name} ${target.skipped}`);
    }
  }
  const crashed = (target) => {
    if (!target.proxy?.crash?.exited || target.skipped) return false;
    target.skipped = target.proxy.crash.reason;
    console.log(`  ${target.name} ${target.skipped}`);
    notes.push(`${scenario.title}: ${target.name} ${target.skipped}`);
    return true;
  };
  let live = targets.filter((target) => !target.skipped);
  for (const target of live) {
    await measure(scenarioId, target, { warm: true });
    crashed(target);
    if (target.proxy) await waitUntilIdle(target.proxy.pid);
  }
  live = live.filter((target) => !target.skipped);
  const runs = new Map(live.map((target) => [target.name, []]));
  for (let round = 0; round < rounds; round++) {
    // Rotate the order each round so no target always runs first or last.
    const order = live.map((_, index) => live[(index + round) % live.length]);
    for (const target of order) {
      if (target.skipped) continue;
      const cpuBefore = target.proxy ? cpuSeconds(target.proxy.pid) : NaN;
      const result = await measure(scenarioId, target, { round });
      const cpu = target.proxy ? cpuSeconds(target.proxy.pid) - cpuBefore : NaN;
      // CPU per request (µs) or per GiB (s): steadier than rates when neighbours take the cores.
      result.cpu = scenario.kind === 'download' ? cpu / result.units : (cpu * 1e6) / result.units;
      if (crashed(target)) continue;
      // Outside the measured window: work the run left behind (capture storing its last
      // exchanges) must not land in the next target's run.
      if (target.proxy) await waitUntilIdle(target.proxy.pid);
      runs.get(target.name).push(result);
      const cpuText = Number.isFinite(result.cpu) ? `, proxy CPU ${result.cpu.toFixed(scenario.kind === 'download' ? 2 : 0)} ${scenario.kind === 'download' ? 's/GiB' : 'µs/request'}` : '';
      console.log(`  round ${round + 1} ${target.name}: ${result.rate.toFixed(1)} ${scenario.unit}${cpuText}${result.errors ? `, ${result.errors} errors` : ''}${result.shortNote ? ` (${result.shortNote})` : ''}`);
    }
  }
  const rows = [];
  for (const target of targets) {
    if (target.skipped) {
      rows.push({ target: target.name, note: target.skipped });
      continue;
    }
    const list = runs.get(target.name);
    const peakRss = target.proxy ? peakRssMiB(target.proxy.pid) : undefined;
    rows.push({
      target: target.name,
      rate: median(list.map((r) => r.rate)),
      p50: median(list.map((r) => r.p50)),
      p99: median(list.map((r) => r.p99)),
      seconds: median(list.map((r) => r.seconds)),
      ttfb: median(list.map((r) => r.ttfb)),
      cpu: median(list.map((r) => r.cpu)),
      peakRss,
      errors: list.reduce((sum, r) => sum + r.errors, 0),
      runs: list,
    });
    const short = list.filter((r) => r.shortNote).map((r) => r.shortNote);
    if (short.length) notes.push(`${scenario.title}: ${target.name} finished ${short.join('; ')} (rate over the names it finished)`);
  }
  await Promise.all(targets.filter((target) => target.proxy).map((target) => target.proxy.stop()));
  return { id: scenarioId, ...scenario, rows };
}

const versions = {
  node: process.version,
  mitmproxy: mitmproxySkipped ? undefined : (() => {
    try {
      return /Mitmproxy:\s*(\S+)/.exec(execFileSync('mitmdump', ['--version'], { encoding: 'utf8' }))?.[1];
    } catch {
      return undefined;
    }
  })(),
  httpMitmProxy: JSON.parse(readFileSync(path.join(here, 'node_modules', 'http-mitm-proxy', 'package.json'), 'utf8')).version,
  capture: (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoDir, encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  })(),
};

console.log(`capture comparison: ${only.join(', ')}; ${rounds} rounds; keep-alive ${connections} connections for ${duration} s (load by ${tool ?? 'n/a'}); ` +
  `${hostCount} new hosts ${concurrency} at a time; ${sizeMiB} MiB downloads; targets: direct, capture${values['skip-peers'] ? '' : ', mitmproxy, http-mitm-proxy'}`);
const results = [];
try {
  for (const id of only) results.push(await runScenario(id));
} finally {
  await new Promise((resolve) => {
    origin.once('exit', resolve);
    origin.send('stop');
  });
  rmSync(workDir, { recursive: true, force: true });
}

const loadAtEnd = os.loadavg();
const elapsed = Math.round((Date.now() - began) / 1000);
const goalList = goals(results);
const has = (...ids) => ids.some((id) => only.includes(id));
const setup = [
  `${new Date().toISOString().slice(0, 10)}, Node ${versions.node}, capture ${versions.capture ?? '(no git)'}, mitmproxy ${versions.mitmproxy ?? 'n/a'}, http-mitm-proxy ${versions.httpMitmProxy};`,
  `${os.cpus().length} cores shared by load generator, origin and proxies (load average ${loadAtStart[0].toFixed(1)} at start, ${loadAtEnd[0].toFixed(1)} at end); ${elapsed} s in all.`,
  `Medians of ${rounds} alternating rounds (order rotated each round), each proxy started fresh per scenario, 1 s warm-ups (16 MiB for downloads); after each warm-up and run the proxy is left to go idle (at most one CPU tick in 200 ms, up to 10 s) before the next target runs.`,
  ...(has('http', 'https') ? [`Keep-alive: ${connections} connections for ${duration} s${has('http') ? ` (HTTP load by ${tool})` : ''}${has('https') ? ", HTTPS load by Node's TLS client through CONNECT" : ''}.`] : []),
  ...(has('new-hosts') ? [`New hosts: ${hostCount} names ${concurrency} at a time, each TCP, CONNECT, TLS with its name, one GET (none started after ${newHostsLimit} s).`] : []),
  ...(has('h2') ? [`HTTP/2: ${h2Sessions * h2Streams} concurrent streams on ${h2Sessions} TLS connections negotiating h2 (through CONNECT when proxied; the origin speaks h2 only), Node's http2 client.`] : []),
  ...(has('grpc') ? [`gRPC: unary calls (1 KiB answers) with @grpc/grpc-js, ${h2Streams} in flight on each of ${h2Sessions} channels, through CONNECT when proxied (grpc.http_connect_target).`] : []),
  ...(has('download-http', 'download-https') ? [`Downloads: one ${sizeMiB} MiB body per round, by curl.`] : []),
  'capture: `capture start` with its default plugins (https, filters, grpc, websocket, history saving responses, web view with no viewer, openapi), a fresh CAPTURE_HOME and TMPDIR; mitmproxy: `mitmdump --set stream_large_bodies=1m`; http-mitm-proxy: a forwarding script.',
  'Peak RSS: the proxy process\'s VmHWM over the scenario. CPU: its user+system time (all threads) per request, or per GiB downloaded.',
  '"of direct": the rate over direct\'s; "capture × it": capture\'s rate over this row\'s; "it ÷ capture": this row\'s CPU over capture\'s.',
].join('\n');
const markdown = page({ setup, results, notes });
console.log(`\n${markdown}`);
mkdirSync(path.dirname(values.out), { recursive: true });
writeFileSync(values.out, markdown);
writeFileSync(path.join(scratchDir, 'comparison.json'), JSON.stringify({ options: values, versions, loadAtStart, loadAtEnd, elapsed, setup, results, goals: goalList, notes, date: new Date().toISOString() }, null, 2));
console.log(`written to ${path.relative(process.cwd(), values.out)} and .bench/comparison.json`);
if (values['cpu-prof']) console.log(`capture's CPU profiles: .bench/prof/<scenario>/ (summarise with node bench/profile-summary.mjs FILE)`);
