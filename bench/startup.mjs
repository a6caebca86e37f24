// pnpm bench:startup: how fast `capture start` says `listening` and how much memory it holds when
// idle, against a bare Node HTTP server measured in the same run (issue 19 step 3), and what each
// default plugin costs at start (the map for making them lazy).
//
// Every round starts each variant once, in an order rotated round by round, and the medians are
// reported (the machine is shared):
//   bare              node -e "http.createServer().listen(0, '127.0.0.1', print)": the floor
//   capture           `capture start` with its default plugins (a data folder whose CA exists, as
//                     on every start but the first)
//   capture --no-X    the same without plugin X, one variant per default plugin: its cost is the
//                     difference from `capture`
//   capture core only every default plugin off: the CLI and core alone
// Time to listening: from spawn to the `listening on` line on stdout; CPU to listening: the
// process's user+system time (all its threads) at that line, which a loaded machine inflates
// less than the wall time. Idle RSS: VmRSS after `--settle` seconds of idling with no client (12 by
// default: V8's memory reducer returns the start's garbage about 8-10 s after the last GC, so an idle
// capture holds less than it does just after start); "3 s after start": VmRSS then, for comparison
// (the writer thread and timers have started).
// Then, once per plugin package, in a fresh `node` each: the time and RSS its import costs on top
// of @capture/core (the module graph alone, before the plugin does anything).
// The first start of all (creating the CA) is reported on its own. One more start runs with a
// module-loading hook that lists every file capture start loaded, summed per package.
// Options: --rounds N (3), --settle S (12), --cpu-prof (one profile of capture's start to
// .bench/prof/startup/, summarised), --eager-baseline (one more variant: capture with the
// packages it loaded before they were made lazy preloaded, see lib/startup-eager-baseline.mjs),
// --out FILE (bench/results/startup.md).
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { median } from './lib/report.mjs';
import { privateTmp } from './lib/targets.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoDir = path.join(here, '..');
const bin = path.join(repoDir, 'packages', 'cli', 'dist', 'bin.js');
const cliDir = path.join(repoDir, 'packages', 'cli');
const scratchDir = path.join(repoDir, '.bench');

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    settle: { type: 'string', default: '12' },
    'cpu-prof': { type: 'boolean', default: false },
    'eager-baseline': { type: 'boolean', default: false },
    out: { type: 'string', default: path.join(here, 'results', 'startup.md') },
  },
});
const rounds = Number(values.rounds);
const settle = Number(values.settle);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`bench:startup: --rounds expects a whole number >= 1, got ${JSON.stringify(values.rounds)}`);
if (!Number.isFinite(settle) || settle < 0) throw new Error(`bench:startup: --settle expects seconds >= 0, got ${JSON.stringify(values.settle)}`);

/** The plugins `capture start` runs by default, each with its `--no-` flag. */
const PLUGINS = ['https', 'filters', 'grpc', 'websocket', 'history', 'web', 'openapi'];
const PACKAGES = { https: 'plugin-https', filters: 'plugin-filters', grpc: 'plugin-grpc', websocket: 'plugin-websocket', history: 'plugin-history', web: 'plugin-web', openapi: 'plugin-openapi', collections: 'plugin-collections', 'os-certs': 'plugin-os-certs' };
/**
 * Shipped plugins `capture start` does not run by default: collections is created (its flags
 * are offered), os-certs (commands only) is not loaded by `capture start`.
 */
const IMPORTED_ONLY = ['collections', 'os-certs'];

const workDir = mkdtempSync(path.join(os.tmpdir(), 'capture-startup-'));
const home = path.join(workDir, 'home');
const BARE = "const s=require('node:http').createServer();s.listen(0,'127.0.0.1',()=>console.log('listening on http://127.0.0.1:'+s.address().port))";

/** User+system CPU ms of a process so far (every thread), from /proc/PID/stat (clock ticks of 10 ms). */
const cpuMs = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
};

const rssMiB = (pid, field = 'VmRSS') => {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
};

/**
 * Starts `args` (node's), resolves with { ms (spawn to the listening line), cpu (CPU ms then),
 * rss, hwm (MiB after settling), early (VmRSS MiB 3 s after listening, or at settling if sooner) } and stops it (SIGTERM, SIGKILL after 15 s); rejects if it exits first or takes
 * longer than 60 s.
 */
/** When the "just after start" RSS is read (the figure this bench reported before it waited for V8's memory reducer). */
const EARLY_SECONDS = 3;

function startOnce(args, { env = {}, settleSeconds = settle } = {}) {
  return new Promise((resolve, reject) => {
    const began = performance.now();
    // TMPDIR of its own: see privateTmp in lib/targets.mjs (the web view's port registry).
    const child = spawn(process.execPath, args, { env: { ...process.env, CAPTURE_HOME: home, TMPDIR: privateTmp(home), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let seen = '';
    let listenedAt;
    let cpuAtListen;
    const timer = setTimeout(() => finish(new Error(`no listening line within 60 s:\n${seen}`)), 60_000);
    const finish = (error, result) => {
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) {
        const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(killer);
          error ? reject(error) : resolve(result);
        });
        child.kill('SIGTERM');
      } else if (error) reject(error);
      else resolve(result);
    };
    child.stdout.on('data', (chunk) => {
      seen += chunk;
      if (listenedAt === undefined && /listening on http:\/\/127\.0\.0\.1:\d+/.test(seen)) {
        listenedAt = performance.now();
        cpuAtListen = cpuMs(child.pid);
        // Idle: no client, nothing to do but what the process starts on its own.
        let early;
        if (settleSeconds > EARLY_SECONDS) setTimeout(() => (early = rssMiB(child.pid)), EARLY_SECONDS * 1000);
        setTimeout(() => {
          const rss = rssMiB(child.pid);
          finish(undefined, { ms: listenedAt - began, cpu: cpuAtListen, rss, early: early ?? rss, hwm: rssMiB(child.pid, 'VmHWM') });
        }, settleSeconds * 1000);
      }
    });
    child.stderr.on('data', (chunk) => (seen += chunk));
    child.once('exit', (code) => {
      if (listenedAt === undefined) {
        clearTimeout(timer);
        reject(new Error(`exited with ${code} before listening:\n${seen}`));
      }
    });
  });
}

/**
 * startOnce, tried up to 3 times 10 s apart when the start fails: on the shared working tree a
 * package's dist may be missing for a moment while it is rebuilt. A run that fails 3 times throws.
 */
async function startRetried(args, options) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(args, options);
    } catch (error) {
      if (attempt >= 3) throw error;
      console.log(`  (start failed, retrying in 10 s: ${String(error.message).split('\n').find((line) => /Error/.test(line))?.trim() ?? error.message.split('\n')[0]})`);
      await new Promise((resolve) => setTimeout(resolve, 10_000));
    }
  }
}

const captureArgs = (extra = []) => [bin, 'start', '--port', '0', '--host', '127.0.0.1', '--web-port', '0', '--quiet', ...extra];
const variants = [
  { name: 'bare Node HTTP server', args: ['-e', BARE] },
  { name: 'capture (default plugins)', args: captureArgs() },
  ...PLUGINS.map((plugin) => ({ name: `capture --no-${plugin}`, plugin, args: captureArgs([`--no-${plugin}`]) })),
  { name: 'capture, every plugin off', args: captureArgs(PLUGINS.map((plugin) => `--no-${plugin}`)) },
  ...(values['eager-baseline'] ? [{ name: 'capture, pre-lazy packages preloaded', args: ['--import', path.join(here, 'lib', 'startup-eager-baseline.mjs'), ...captureArgs()] }] : []),
];

const began = Date.now();
const loadAtStart = os.loadavg();
console.log(`startup: ${rounds} rounds of ${variants.length} variants, ${settle} s idle each; node ${process.version}`);
const first = await startRetried(captureArgs());
console.log(`  first start (creates the CA): ${first.ms.toFixed(0)} ms, ${first.rss.toFixed(1)} MiB`);
const runs = new Map(variants.map((variant) => [variant.name, []]));
for (let round = 0; round < rounds; round++) {
  const order = variants.map((_, index) => variants[(index + round) % variants.length]);
  for (const variant of order) {
    const result = await startRetried(variant.args);
    runs.get(variant.name).push(result);
    console.log(`  round ${round + 1} ${variant.name}: ${result.ms.toFixed(0)} ms, ${result.rss.toFixed(1)} MiB idle`);
  }
}

/** One fresh node per package: ms and RSS of importing it, on top of importing @capture/core. */
function importCost(specifier) {
  const script = `const t0=performance.now();await import('@capture/core');const t1=performance.now();const r1=process.memoryUsage().rss;` +
    `${specifier ? `await import(${JSON.stringify(specifier)});` : ''}const t2=performance.now();` +
    `console.log(JSON.stringify({core:t1-t0,ms:t2-t1,rss:process.memoryUsage().rss,coreRss:r1}))`;
  return JSON.parse(execRetried(['--input-type=module', '-e', script], { cwd: cliDir }).trim().split('\n').pop());
}

/**
 * execFileSync of node, tried up to 3 times 10 s apart: on the shared working tree a package's
 * dist may be missing for a moment while it is rebuilt.
 */
function execRetried(args, options) {
  for (let attempt = 1; ; attempt++) {
    try {
      return execFileSync(process.execPath, args, { encoding: 'utf8', ...options });
    } catch (error) {
      if (attempt >= 3) throw error;
      console.log(`  (import failed, retrying in 10 s)`);
      execFileSync('sleep', ['10']);
    }
  }
}
const imports = [];
for (const plugin of ['(none)', ...PLUGINS, ...IMPORTED_ONLY]) {
  const list = [];
  for (let round = 0; round < rounds; round++) list.push(importCost(plugin === '(none)' ? undefined : `@capture/${PACKAGES[plugin]}`));
  imports.push({ plugin, ms: median(list.map((r) => r.ms)), rss: median(list.map((r) => r.rss / 1048576)), coreMs: median(list.map((r) => r.core)), coreRss: median(list.map((r) => r.coreRss / 1048576)) });
}
/** Third-party packages the CLI loads at start, each from the package that depends on it. */
const DEPENDENCIES = [
  ['undici', 'core', 'the first forwarded request'],
  ['zod', 'core', "bundled into core's dist"],
  ['semver', 'core', "bundled into core's dist"],
  ['socks', 'core', 'the first SOCKS upstream'],
  ['ipaddr.js', 'core', "bundled into core's dist"],
  ['tapable', 'core', "bundled into core's dist; loaded for plugin-websocket"],
  ['commander', 'cli', ''],
  ['cosmiconfig', 'cli', ''],
  ['jiti', 'cli', 'a TypeScript config, or plugins named in a config'],
  ['better-sqlite3', 'plugin-history', ''],
  ['cli-table3', 'plugin-history', ''],
  ['node-forge', 'plugin-https', 'the first intercepted host, a new CA, the .p12 download'],
  ['protobufjs', 'plugin-grpc', '--proto'],
  ['yaml', 'plugin-openapi', 'the first YAML document'],
  ['@sindresorhus/slugify', 'plugin-collections', 'the collections plugin running'],
];
const dependencyCosts = DEPENDENCIES.map(([name, from, when]) => {
  const list = Array.from({ length: rounds }, () => JSON.parse(execRetried(['--input-type=module', '-e',
    `const r=process.memoryUsage().rss;const t=performance.now();await import(${JSON.stringify(name)});console.log(JSON.stringify({ms:performance.now()-t,rss:process.memoryUsage().rss-r}))`],
  { cwd: path.join(repoDir, 'packages', from) }).trim()));
  return { name, from, when, ms: median(list.map((r) => r.ms)), rss: median(list.map((r) => r.rss / 1048576)) };
});
const nodeAlone = median(Array.from({ length: rounds }, () => Number(execFileSync(process.execPath, ['-e', 'console.log(process.memoryUsage().rss)'], { encoding: 'utf8' })) / 1048576));
const cliImport = [];
for (let round = 0; round < rounds; round++) {
  const out = execRetried(['--input-type=module', '-e', `const t=performance.now();await import(${JSON.stringify(path.join(cliDir, 'dist', 'index.js'))});console.log(JSON.stringify({ms:performance.now()-t,rss:process.memoryUsage().rss}))`]);
  cliImport.push(JSON.parse(out.trim()));
}

/**
 * Every file one `capture start` loaded before it listened, summed per package: ESM through a
 * load hook, CommonJS from require.cache, both written when the process exits.
 */
async function loadedModules() {
  const log = path.join(workDir, 'modules.txt');
  const hooks = path.join(workDir, 'hooks.mjs');
  writeFileSync(hooks, `import { appendFileSync } from 'node:fs';\nexport async function load(url, context, next) { if (url.startsWith('file:')) appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }\n`);
  const preload = path.join(workDir, 'preload.mjs');
  writeFileSync(preload, `import { register, createRequire } from 'node:module';\nimport { appendFileSync } from 'node:fs';\nimport { pathToFileURL } from 'node:url';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\nconst cache = createRequire(import.meta.url).cache;\nprocess.on('exit', () => appendFileSync(${JSON.stringify(log)}, Object.keys(cache).map((file) => pathToFileURL(file).href + '\\n').join('')));\n`);
  await startRetried(['--import', pathToFileURL(preload).href, ...captureArgs()], { settleSeconds: 0 });
  const files = new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean));
  const packages = new Map();
  for (const url of files) {
    const file = fileURLToPath(url);
    let size = 0;
    try {
      size = statSync(file).size;
    } catch {
      continue;
    }
    const match = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(file);
    const name = match ? match[1] : /packages\/([^/]+)\//.test(file) ? `@capture/${/packages\/([^/]+)\//.exec(file)[1]}` : path.basename(file);
    const entry = packages.get(name) ?? { name, files: 0, bytes: 0 };
    entry.files++;
    entry.bytes += size;
    packages.set(name, entry);
  }
  return [...packages.values()].sort((a, b) => b.files - a.files || b.bytes - a.bytes);
}
const modules = await loadedModules();

let profileSummary;
if (values['cpu-prof']) {
  const dir = path.join(scratchDir, 'prof', 'startup');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  await startRetried(['--cpu-prof', `--cpu-prof-dir=${dir}`, ...captureArgs()], { settleSeconds: 0 });
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (file) profileSummary = execFileSync(process.execPath, [path.join(here, 'profile-summary.mjs'), path.join(dir, file), '--top', '20'], { encoding: 'utf8' });
}
rmSync(workDir, { recursive: true, force: true });

const rows = variants.map((variant) => {
  const list = runs.get(variant.name);
  return { ...variant, ms: median(list.map((r) => r.ms)), cpu: median(list.map((r) => r.cpu)), rss: median(list.map((r) => r.rss)), early: median(list.map((r) => r.early)), hwm: median(list.map((r) => r.hwm)) };
});
const bare = rows[0];
const capture = rows[1];
const fixed = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
const signed = (n, d = 1) => (Number.isFinite(n) ? `${n >= 0 ? '+' : ''}${n.toFixed(d)}` : 'n/a');
const costs = rows.filter((row) => row.plugin).map((row) => ({ plugin: row.plugin, ms: capture.ms - row.ms, cpu: capture.cpu - row.cpu, rss: capture.rss - row.rss }));
const ranked = [...costs].sort((a, b) => b.rss - a.rss);
const coreOnly = rows.find((row) => row.name === 'capture, every plugin off');
const startRatio = capture.ms / bare.ms;
const goals = [
  { goal: 'idle RSS with the default plugins ≤ 70 MiB', value: `${fixed(capture.rss)} MiB after ${settle} s idle (${fixed(capture.early)} MiB 3 s after start)`, met: capture.rss <= 70 },
  { goal: '`listening` within 4x a bare Node HTTP server', value: `${fixed(startRatio, 2)}x (${fixed(capture.ms, 0)} ms against ${fixed(bare.ms, 0)} ms)`, met: startRatio <= 4 },
];
const loadAtEnd = os.loadavg();
const md = [
  '# capture startup and idle memory: latest run',
  '',
  `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, capture ${execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoDir, encoding: 'utf8' }).trim()};`,
  `${os.cpus().length} cores shared with other work (load average ${loadAtStart[0].toFixed(1)} at start, ${loadAtEnd[0].toFixed(1)} at end); ${Math.round((Date.now() - began) / 1000)} s in all.`,
  `Medians of ${rounds} rounds, the variants alternating (order rotated each round). Start: spawn to the \`listening on\` line; CPU: the process's user+system time (every thread) at that line. Idle RSS: VmRSS after ${settle} s with no client (V8's memory reducer has run by then); 3 s: VmRSS 3 s after listening; peak: VmHWM at the end.`,
  `\`capture start --port 0 --host 127.0.0.1 --web-port 0 --quiet\` with a data folder whose CA exists; the first start of all (it creates the CA) took ${fixed(first.ms, 0)} ms and held ${fixed(first.rss)} MiB.`,
  '',
  '| variant | start ms | × bare | CPU ms to listening | idle RSS MiB | RSS 3 s after start MiB | peak RSS MiB |',
  '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ...rows.map((row) => `| ${row.name} | ${fixed(row.ms, 0)} | ${fixed(row.ms / bare.ms, 2)}x | ${fixed(row.cpu, 0)} | ${fixed(row.rss)} | ${fixed(row.early)} | ${fixed(row.hwm)} |`),
  '',
  '## What each default plugin costs',
  '',
  'In `capture start`: the default run minus the run without it (`--no-<plugin>`), ranked by idle RSS. Import: a fresh `node` importing the package after `@capture/core` (the module graph alone). Differences of medians on a shared machine: a few MiB or tens of ms either way are noise.',
  '',
  '| plugin | start ms (in capture start) | CPU ms (in capture start) | idle RSS MiB (in capture start) | import ms | RSS after import MiB (core alone: ' + fixed(imports[0].rss) + ') |',
  '| --- | ---: | ---: | ---: | ---: | ---: |',
  ...ranked.map((cost) => {
    const imp = imports.find((entry) => entry.plugin === cost.plugin);
    return `| ${cost.plugin} | ${signed(cost.ms, 0)} | ${signed(cost.cpu, 0)} | ${signed(cost.rss)} | ${fixed(imp?.ms, 0)} | ${fixed(imp?.rss)} (${signed(imp.rss - imports[0].rss)}) |`;
  }),
  ...IMPORTED_ONLY.map((plugin) => {
    const imp = imports.find((entry) => entry.plugin === plugin);
    return `| ${plugin} (not run by \`capture start\`${plugin === 'os-certs' ? ', not loaded by it' : ', created for its flags'}) | | | | ${fixed(imp?.ms, 0)} | ${fixed(imp?.rss)} (${signed(imp.rss - imports[0].rss)}) |`;
  }),
  `| (every plugin off: CLI and core) | ${fixed(coreOnly.ms, 0)} ms in all | ${fixed(coreOnly.cpu, 0)} ms in all | ${fixed(coreOnly.rss)} MiB in all | core ${fixed(imports[0].coreMs, 0)} | core ${fixed(imports[0].coreRss)} |`,
  '',
  `A \`node\` that imports nothing holds ${fixed(nodeAlone)} MiB. ` +
  'Note: `capture start` creates every default plugin (their flags are offered even when `--no-<plugin>` leaves one out), so `--no-<plugin>` saves only what the plugin does when applied and started; what its modules cost is the import column.',
  '',
  'Third-party packages alone, each the first import in a fresh `node` (so each includes a few MiB of the module loader\'s own start):',
  '',
  '| package | imported by | loaded by `capture start` (else: when) | import ms | RSS added MiB |',
  '| --- | --- | --- | ---: | ---: |',
  ...dependencyCosts.map((d) => `| ${d.name} | @capture/${d.from} | ${modules.some((m) => m.name === d.name) ? 'yes' : `no${d.when ? ` (${d.when})` : ''}`} | ${fixed(d.ms, 0)} | ${fixed(d.rss)} |`),
  '',
  `What one \`capture start\` loaded before listening: ${modules.reduce((sum, m) => sum + m.files, 0)} files, ${fixed(modules.reduce((sum, m) => sum + m.bytes, 0) / 1048576)} MiB on disk (a native addon counts its binary), by package:`,
  '',
  '| package | files | KiB |',
  '| --- | ---: | ---: |',
  ...modules.slice(0, 25).map((m) => `| ${m.name} | ${m.files} | ${fixed(m.bytes / 1024, 0)} |`),
  ...(modules.length > 25 ? [`| ${modules.length - 25} more | ${modules.slice(25).reduce((sum, m) => sum + m.files, 0)} | ${fixed(modules.slice(25).reduce((sum, m) => sum + m.bytes, 0) / 1024, 0)} |`] : []),
  '',
  `Importing the CLI (\`packages/cli/dist/index.js\`; plugins load when created): ${fixed(median(cliImport.map((r) => r.ms)), 0)} ms, ${fixed(median(cliImport.map((r) => r.rss / 1048576)))} MiB.`,
  '',
  '## Goals (issue 19 step 3)',
  '',
  ...goals.map((g) => `- ${g.met ? 'met' : 'NOT met'}: ${g.goal}: ${g.value}`),
  ...(profileSummary ? ['', '## CPU profile of one start (`--cpu-prof`)', '', '```', profileSummary.trim(), '```'] : []),
  '',
].join('\n');
console.log(`\n${md}`);
mkdirSync(path.dirname(values.out), { recursive: true });
writeFileSync(values.out, md);
mkdirSync(scratchDir, { recursive: true });
writeFileSync(path.join(scratchDir, 'startup.json'), JSON.stringify({ first, rows: rows.map(({ args, ...row }) => ({ ...row, runs: runs.get(row.name) })), costs, imports, dependencyCosts, modules, nodeAlone, cliImport, goals, loadAtStart, loadAtEnd }, null, 2));
console.log(`written to ${path.relative(process.cwd(), values.out)} and .bench/startup.json`);
