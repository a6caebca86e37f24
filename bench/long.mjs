// pnpm bench:long: a long session through `capture start` (issue 19 step 4).
//
// Run 1, keep everything: `--count` exchanges (1,000,000 by default) of 1 KiB keep-alive GETs over
// HTTP at full speed through `capture start` with its default plugins, history configured to keep
// them all (maxEntries above the count, maxBytes 100GB). Sampled every second: the proxy's RSS
// and the database's size (history.db with its -wal and -shm). Then, over the rows: `capture
// history list --search WORD` and `--host HOST` (wall time of the command, median of 3, beside
// `capture history --help` as the floor: the CLI's start with this config, no query), the web view's first page and a search through its
// HTTP API with the token (median of 5), and the database's bytes per exchange.
// Run 2, the defaults (`--prune-count`, the same count by default; 0 skips it): `capture start`
// with no config, so history keeps its default maxEntries (10,000) and prunes: the file and RSS
// sampled the same way should stay flat.
// Every 10,000th request carries the word `needle` in its query; every 100th goes to
// rare.bench.test (the rest to origin.bench.test; both resolve to 127.0.0.1 in the proxy).
// Options: --count N, --prune-count N, --connections N (50), --cpu-prof (capture's CPU profile of
// run 1 to .bench/prof/long/, summarised), --out FILE (bench/results/long.md).
import { execFile, fork, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { createRequire } from 'node:module';
import { countedLoad } from './lib/count-load.mjs';
import { cpuSeconds, peakRssMiB } from './lib/proc.mjs';
import { median } from './lib/report.mjs';
import { privateTmp } from './lib/targets.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const repoDir = path.join(here, '..');
const bin = path.join(repoDir, 'packages', 'cli', 'dist', 'bin.js');
const scratchDir = path.join(repoDir, '.bench');
const hostsPreload = pathToFileURL(path.join(here, 'servers', 'bench-hosts.mjs')).href;

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '1000000' },
    'prune-count': { type: 'string' },
    connections: { type: 'string', default: '50' },
    'cpu-prof': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(here, 'results', 'long.md') },
  },
});
const whole = (name, value, min) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    console.error(`bench:long: --${name} expects a whole number >= ${min}, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
  return n;
};
const count = whole('count', values.count, 1000);
const pruneCount = whole('prune-count', values['prune-count'] ?? String(count), 0);
const connections = whole('connections', values.connections, 1);
const MARK = 100_000;

const began = Date.now();
const loadAtStart = os.loadavg();
const workDir = mkdtempSync(path.join(os.tmpdir(), 'capture-long-'));
const mib = (bytes) => bytes / 1048576;
const fixed = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const rssMiB = (pid) => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]) / 1024;
  } catch {
    return NaN;
  }
};

/** Bytes of history.db and its -wal and -shm in `home`. */
function dbBytes(home) {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    try {
      total += statSync(path.join(home, `history.db${suffix}`)).size;
    } catch {
      // Not there (yet).
    }
  }
  return total;
}

// The origin: bench/servers/origin.mjs, its plain HTTP server (1 KiB for every path).
const keyFile = path.join(workDir, 'origin-key.pem');
const certFile = path.join(workDir, 'origin.pem');
await run('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=capture bench origin', '-addext', 'subjectAltName=DNS:localhost,DNS:*.bench.test,IP:127.0.0.1']);
const origin = fork(path.join(here, 'servers', 'origin.mjs'), [keyFile, certFile], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
const { httpPort } = await new Promise((resolve, reject) => {
  origin.once('message', resolve);
  origin.once('exit', (code) => reject(new Error(`the origin exited with ${code}`)));
});
const url = (i) => {
  const host = i % 100 === 99 ? 'rare.bench.test' : 'origin.bench.test';
  return `http://${host}:${httpPort}/items/${i}${i % 10_000 === 5_000 ? '?tag=needle' : '?tag=hay'}`;
};

/** `capture start` with `configFile` (or none), in `home`: resolves with { child, port, webUrl, token, stop }. */
async function startCapture(home, { configFile, cpuProfDir } = {}) {
  const execArgv = ['--import', hostsPreload];
  if (cpuProfDir) {
    rmSync(cpuProfDir, { recursive: true, force: true });
    mkdirSync(cpuProfDir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`);
  }
  const args = [...execArgv, bin, ...(configFile ? ['--config', configFile] : []), 'start', '--port', '0', '--host', '127.0.0.1', '--web-port', '0', '--quiet'];
  // TMPDIR of its own: see privateTmp in lib/targets.mjs (the web view's port registry).
  const child = spawn(process.execPath, args, { cwd: workDir, env: { ...process.env, CAPTURE_HOME: home, TMPDIR: privateTmp(home) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let seen = '';
  const lines = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`capture start did not start within 60 s:\n${seen}`)), 60_000);
    const onData = (chunk) => {
      seen += chunk;
      if (/listening on http:\/\/127\.0\.0\.1:\d+/.test(seen) && /\?token=\S+/.test(seen)) {
        clearTimeout(timer);
        resolve(seen);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (seen += chunk));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`capture start exited with ${code}:\n${seen}`));
    });
  });
  child.stdout.resume();
  const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(lines)[1]);
  const web = /(http:\/\/127\.0\.0\.1:\d+)\/\?token=(\S+)/.exec(lines);
  const stop = () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  return { child, port, webUrl: web[1], token: web[2], stop };
}

/** The CLI's wall time for `args` in `home`, median of `times`, and the last stdout. */
async function timed(home, args, times = 3, configFile) {
  const list = [];
  let stdout = '';
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    ({ stdout } = await run(process.execPath, [bin, ...(configFile ? ['--config', configFile] : []), ...args], { cwd: workDir, env: { ...process.env, CAPTURE_HOME: home }, maxBuffer: 64 << 20 }));
    list.push(performance.now() - t);
  }
  return { ms: median(list), stdout };
}

/**
 * Waits (at most 10 minutes) until history's background search index covers every row, read from
 * history.db's watermark with plugin-history's own better-sqlite3; resolves with the tail at the
 * start and how long it took.
 */
async function indexCaughtUp(home) {
  const Database = createRequire(path.join(repoDir, 'packages', 'plugin-history', 'package.json'))('better-sqlite3');
  const db = new Database(path.join(home, 'history.db'), { readonly: true, fileMustExist: true });
  const tail = () => db.prepare('SELECT coalesce((SELECT max(id) FROM exchanges), 0) - indexed_through FROM search_state').pluck().get();
  const t0 = performance.now();
  const first = tail();
  try {
    while (tail() > 0 && performance.now() - t0 < 600_000) await new Promise((resolve) => setTimeout(resolve, 500));
    return { tailRows: first, seconds: (performance.now() - t0) / 1000, left: tail() };
  } finally {
    db.close();
  }
}

/** The web view's API: wall time of GET `pathAndQuery` with the token, median of `times`, and the last body. */
async function webTimed(capture, pathAndQuery, times = 5) {
  const list = [];
  let body;
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    const response = await fetch(`${capture.webUrl}${pathAndQuery}`, { headers: { authorization: `Bearer ${capture.token}` } });
    body = await response.json();
    list.push(performance.now() - t);
    if (!response.ok) throw new Error(`web view ${pathAndQuery}: ${response.status} ${JSON.stringify(body)}`);
  }
  return { ms: median(list), body };
}

/** Waits until history's newest id reaches `expected` (the writer thread has flushed), at most 120 s. */
async function flushed(home, expected, configFile) {
  const deadline = Date.now() + 120_000;
  let newest = 0;
  while (Date.now() < deadline) {
    const { stdout } = await run(process.execPath, [bin, ...(configFile ? ['--config', configFile] : []), 'history', 'list', '--json', '--limit', '1'], { cwd: workDir, env: { ...process.env, CAPTURE_HOME: home } });
    newest = JSON.parse(stdout)[0]?.id ?? 0;
    if (newest >= expected) return newest;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  return newest;
}

/** One session: `n` exchanges through `capture`, sampled every second. */
async function session(label, n, { configFile, cpuProfDir } = {}) {
  const home = path.join(workDir, label);
  mkdirSync(home, { recursive: true });
  const capture = await startCapture(home, { configFile, cpuProfDir });
  const pid = capture.child.pid;
  const idleRss = rssMiB(pid);
  const samples = [];
  let done = 0;
  let atMark;
  const t0 = performance.now();
  const cpu0 = cpuSeconds(pid);
  const sample = () => samples.push({ s: (performance.now() - t0) / 1000, done, rss: rssMiB(pid), db: dbBytes(home) });
  const sampler = setInterval(sample, 1000);
  console.log(`${label}: ${n} exchanges on ${connections} connections (idle RSS ${fixed(idleRss)} MiB)`);
  const result = await countedLoad({
    proxyPort: capture.port,
    count: n,
    connections,
    url,
    onProgress: (d) => {
      done = d;
      if (d === MARK) atMark = { s: (performance.now() - t0) / 1000, rss: rssMiB(pid), db: dbBytes(home) };
      if (d % 50_000 === 0) console.log(`  ${d} done, ${fixed(d / ((performance.now() - t0) / 1000), 0)}/s, RSS ${fixed(rssMiB(pid))} MiB, db ${fixed(mib(dbBytes(home)))} MiB`);
    },
  });
  const loadSeconds = result.seconds;
  const cpu = cpuSeconds(pid) - cpu0;
  const newest = await flushed(home, result.done, configFile);
  clearInterval(sampler);
  sample();
  const end = samples.at(-1);
  const out = { label, n, ...result, rate: result.done / loadSeconds, cpuMicros: (cpu * 1e6) / result.done, idleRss, atMark, end, newest, samples, peakRss: peakRssMiB(pid), home, capture };
  console.log(`  ${result.done} in ${fixed(loadSeconds)} s (${fixed(out.rate, 0)}/s), ${result.errors} errors; flushed to id ${newest}; RSS ${fixed(end.rss)} MiB (peak ${fixed(out.peakRss)}), db ${fixed(mib(end.db))} MiB`);
  return out;
}

const results = {};
let profileSummary;
try {
  // Run 1: keep every exchange. The config lists the default plugins (a config that lists plugins
  // runs only those) with history's limits raised above the count.
  // In a folder of its own: `capture start` looks for capture.config.* from its working folder up,
  // and the defaults run (working folder workDir) must find none.
  const configFile = path.join(workDir, 'keep-all-config', 'capture.config.json');
  mkdirSync(path.dirname(configFile), { recursive: true });
  writeFileSync(configFile, JSON.stringify({
    plugins: [
      '@capture/plugin-https',
      '@capture/plugin-filters',
      '@capture/plugin-grpc',
      '@capture/plugin-websocket',
      ['@capture/plugin-history', { maxEntries: count * 2, maxBytes: '100GB' }],
      '@capture/plugin-web',
      '@capture/plugin-openapi',
    ],
  }));
  const cpuProfDir = values['cpu-prof'] ? path.join(scratchDir, 'prof', 'long') : undefined;
  const keep = await session('keep-all', count, { configFile, cpuProfDir });
  const home = keep.home;
  // `capture --version` loads nothing but the CLI's entry: the floor of a history command is the
  // CLI with this config (its plugins) and the history command registered.
  const floor = await timed(home, ['history', '--help'], 3, configFile);
  const search = await timed(home, ['history', 'list', '--search', 'needle', '--json'], 3, configFile);
  const host = await timed(home, ['history', 'list', '--host', 'rare.bench.test', '--json'], 3, configFile);
  const firstPage = await webTimed(keep.capture, '/api/exchanges');
  const webSearch = await webTimed(keep.capture, '/api/exchanges?q=needle');
  keep.queries = {
    floor: floor.ms,
    search: { ms: search.ms, rows: JSON.parse(search.stdout).length },
    host: { ms: host.ms, rows: JSON.parse(host.stdout).length },
    firstPage: { ms: firstPage.ms, rows: firstPage.body.exchanges.length },
    webSearch: { ms: webSearch.ms, rows: webSearch.body.exchanges.length },
  };
  console.log(`  queries: ${JSON.stringify(keep.queries)}`);
  // At full speed on 2 shared cores the writer stores rows before it indexes them (searches read the
  // unindexed tail): wait for the background index to catch up, then ask again, and read the RSS at rest.
  keep.catchUp = await indexCaughtUp(home);
  const searchAtRest = await timed(home, ['history', 'list', '--search', 'needle', '--json'], 3, configFile);
  const webSearchAtRest = await webTimed(keep.capture, '/api/exchanges?q=needle');
  keep.queries.searchAtRest = { ms: searchAtRest.ms, rows: JSON.parse(searchAtRest.stdout).length };
  keep.queries.webSearchAtRest = { ms: webSearchAtRest.ms, rows: webSearchAtRest.body.exchanges.length };
  keep.restRss = rssMiB(keep.capture.child.pid);
  console.log(`  index caught up: ${JSON.stringify(keep.catchUp)}; at rest: ${JSON.stringify({ search: keep.queries.searchAtRest, webSearch: keep.queries.webSearchAtRest, rss: keep.restRss })}`);
  await keep.capture.stop();
  keep.dbAfterStop = dbBytes(home);
  keep.dbMain = statSync(path.join(home, 'history.db')).size;
  if (cpuProfDir) {
    const file = readdirSync(cpuProfDir).find((name) => name.endsWith('.cpuprofile'));
    if (file) profileSummary = (await run(process.execPath, [path.join(here, 'profile-summary.mjs'), path.join(cpuProfDir, file), '--top', '20'], { maxBuffer: 16 << 20 })).stdout;
  }
  results.keep = keep;
  // Run 2: the defaults, pruning.
  if (pruneCount > 0) {
    const prune = await session('defaults', pruneCount);
    // What history holds once pruning has caught up: the rows a user would list.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const kept = JSON.parse((await run(process.execPath, [bin, 'history', 'list', '--json', '--limit', String(pruneCount)], { cwd: workDir, env: { ...process.env, CAPTURE_HOME: prune.home }, maxBuffer: 1 << 30 })).stdout);
    prune.kept = { rows: kept.length, oldest: kept.at(-1)?.id, newest: kept[0]?.id };
    await prune.capture.stop();
    prune.dbAfterStop = dbBytes(prune.home);
    prune.dbMain = statSync(path.join(prune.home, 'history.db')).size;
    results.prune = prune;
  }
} finally {
  await new Promise((resolve) => {
    origin.once('exit', resolve);
    origin.send('stop');
  });
  rmSync(workDir, { recursive: true, force: true });
}

/** The samples nearest to each quarter of the run, for a compact over-time table. */
function quarters(s) {
  const samples = s.samples.filter((x) => x.done > 0);
  const picks = [0.1, 0.25, 0.5, 0.75, 1].map((f) => samples.find((x) => x.done >= f * s.n) ?? samples.at(-1));
  return picks.filter(Boolean);
}
const overTime = (s) => [
  `| ${s.label}: exchanges done | ${quarters(s).map((x) => x.done).join(' | ')} | end (flushed) |`,
  `| --- | ${quarters(s).map(() => '---:').join(' | ')} | ---: |`,
  `| seconds | ${quarters(s).map((x) => fixed(x.s, 0)).join(' | ')} | ${fixed(s.end.s, 0)} |`,
  `| RSS MiB | ${quarters(s).map((x) => fixed(x.rss)).join(' | ')} | ${fixed(s.end.rss)} |`,
  `| database MiB | ${quarters(s).map((x) => fixed(mib(x.db))).join(' | ')} | ${fixed(mib(s.end.db))} |`,
];
const keep = results.keep;
const prune = results.prune;
const q = keep.queries;
const growth = keep.atMark ? keep.end.rss / keep.atMark.rss : NaN;
const goals = [
  { goal: `RSS at the end within 20% of RSS at ${MARK.toLocaleString('en')}`, value: keep.atMark ? `${fixed(keep.end.rss)} against ${fixed(keep.atMark.rss)} MiB (${fixed((growth - 1) * 100, 0)}%; ${fixed(keep.restRss)} MiB once the index had caught up)` : `not measured (count under ${MARK})`, met: keep.atMark ? growth <= 1.2 : undefined },
  { goal: '`capture history list --search WORD` under 1 s, once the index has caught up', value: `${fixed(q.searchAtRest.ms, 0)} ms (CLI floor ${fixed(q.floor, 0)} ms); right after the burst, with ${keep.catchUp.tailRows.toLocaleString('en')} rows not yet indexed: ${fixed(q.search.ms, 0)} ms`, met: q.searchAtRest.ms < 1000 },
  { goal: '`capture history list --host HOST` under 1 s', value: `${fixed(q.host.ms, 0)} ms`, met: q.host.ms < 1000 },
  { goal: 'web view first page under 200 ms', value: `${fixed(q.firstPage.ms, 0)} ms`, met: q.firstPage.ms < 200 },
  { goal: 'web view search under 200 ms, once the index has caught up', value: `${fixed(q.webSearchAtRest.ms, 0)} ms; right after the burst: ${fixed(q.webSearch.ms, 0)} ms`, met: q.webSearchAtRest.ms < 200 },
];
if (prune) {
  const picks = quarters(prune);
  const half = picks[2];
  goals.push({ goal: 'default maxEntries: database flat from the middle of the run to the end (within 20%)', value: `${fixed(mib(half.db))} → ${fixed(mib(prune.end.db))} MiB`, met: prune.end.db <= half.db * 1.2 });
  goals.push({ goal: 'default maxEntries: RSS flat from the middle of the run to the end (within 20%)', value: `${fixed(half.rss)} → ${fixed(prune.end.rss)} MiB`, met: prune.end.rss <= half.rss * 1.2 });
}
const loadAtEnd = os.loadavg();
const perRun = (s) => `| ${s.label} | ${s.done} | ${fixed(s.seconds, 0)} | ${fixed(s.rate, 0)} | ${fixed(s.cpuMicros, 0)} | ${fixed(s.idleRss)} | ${s.atMark ? fixed(s.atMark.rss) : 'n/a'} | ${fixed(s.end.rss)} | ${fixed(s.peakRss)} | ${fixed(mib(s.dbAfterStop))} | ${s === keep ? fixed(s.dbAfterStop / s.newest, 0) : 'n/a (pruned)'} | ${s.errors} |`;
const md = [
  '# capture long session: latest run',
  '',
  `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, capture ${(await run('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoDir })).stdout.trim()};`,
  `${os.cpus().length} cores shared by the load generator, origin, proxy and other work (load average ${loadAtStart[0].toFixed(1)} at start, ${loadAtEnd[0].toFixed(1)} at end); ${Math.round((Date.now() - began) / 1000)} s in all.`,
  `1 KiB keep-alive GETs over HTTP through \`capture start\` (default plugins, recording requests and responses), ${connections} connections, one request in flight on each, at full speed.`,
  `keep-all: history \`maxEntries\` ${count * 2}, \`maxBytes\` 100GB (a config listing the default plugins). defaults: no config (maxEntries 10,000, maxBytes 1GB).`,
  'RSS: the proxy process (all threads); "end": after the writer thread has flushed every row. CPU: the proxy\'s user+system time per exchange. Database: history.db with -wal and -shm, after the proxy stopped; over time: the same while it runs (the -wal file included).',
  `After stopping, history.db alone: keep-all ${fixed(mib(keep.dbMain))} MiB${prune ? `, defaults ${fixed(mib(prune.dbMain))} MiB` : ''}.`,
  '',
  '| run | exchanges | seconds | exchanges/s | proxy CPU µs/exchange | idle RSS MiB | RSS at 100k MiB | RSS at end MiB | peak RSS MiB | database MiB | bytes/exchange | errors |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  perRun(keep),
  ...(prune ? [perRun(prune)] : []),
  '',
  'Over time:',
  '',
  ...overTime(keep),
  '',
  ...(prune ? [...overTime(prune), '', `defaults: history holds ${prune.kept.rows} rows at the end (ids ${prune.kept.oldest} to ${prune.kept.newest}).`, ''] : []),
  `Queries over the ${keep.newest} rows of keep-all (the proxy running and idle): \`needle\` is in 1 URL of 10,000; rare.bench.test is 1 host in 100.`,
  '',
  '| query | ms | rows |',
  '| --- | ---: | ---: |',
  `| \`capture history --help\` (the CLI's start with this config, the floor of every history command) | ${fixed(q.floor, 0)} | |`,
  `| \`capture history list --search needle --json\` | ${fixed(q.search.ms, 0)} | ${q.search.rows} |`,
  `| \`capture history list --host rare.bench.test --json\` | ${fixed(q.host.ms, 0)} | ${q.host.rows} |`,
  `| web view \`GET /api/exchanges\` (first page) | ${fixed(q.firstPage.ms, 0)} | ${q.firstPage.rows} |`,
  `| web view \`GET /api/exchanges?q=needle\` | ${fixed(q.webSearch.ms, 0)} | ${q.webSearch.rows} |`,
  '',
  `The background index caught up ${fixed(keep.catchUp.seconds, 0)} s after the burst (${keep.catchUp.tailRows.toLocaleString('en')} rows were not yet indexed when the queries above ran${keep.catchUp.left ? `; ${keep.catchUp.left.toLocaleString('en')} still were after 10 minutes` : ''}). Then: \`capture history list --search needle --json\` ${fixed(q.searchAtRest.ms, 0)} ms (${q.searchAtRest.rows} rows), web view \`?q=needle\` ${fixed(q.webSearchAtRest.ms, 0)} ms (${q.webSearchAtRest.rows} rows); the proxy's RSS at rest ${fixed(keep.restRss)} MiB.`,
  '',
  `## Goals (issue 19 step 4)${count < 1_000_000 ? ` — measured at ${count.toLocaleString('en')} exchanges, not the goal's 1,000,000` : ''}`,
  '',
  ...goals.map((g) => `- ${g.met === undefined ? 'not measured' : g.met ? 'met' : 'NOT met'}: ${g.goal}: ${g.value}`),
  ...(profileSummary ? ['', '## CPU profile of capture during keep-all (`--cpu-prof`)', '', '```', profileSummary.trim(), '```'] : []),
  '',
].join('\n');
console.log(`\n${md}`);
mkdirSync(path.dirname(values.out), { recursive: true });
writeFileSync(values.out, md);
mkdirSync(scratchDir, { recursive: true });
const strip = (s) => s && { ...s, capture: undefined, home: undefined };
writeFileSync(path.join(scratchDir, 'long.json'), JSON.stringify({ count, pruneCount, connections, keep: strip(keep), prune: strip(prune), goals, loadAtStart, loadAtEnd }, null, 2));
console.log(`written to ${path.relative(process.cwd(), values.out)} and .bench/long.json`);
