// node bench/profile-summary.mjs FILE.cpuprofile [--top N]: the hottest functions of a V8 CPU
// profile (as `pnpm bench --cpu-prof` writes for capture) by self time, and self time per source
// (capture package, node_modules package, Node internals, GC, idle), so a profile reads in a glance.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
if (!positionals.length) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [--top N]');
  process.exit(2);
}

/** Where a function comes from: a capture package, an npm package, a Node internal, or V8 itself. */
function sourceOf(url, name) {
  if (!url) return name.startsWith('(') ? name : '(native)';
  const pkg = /\/packages\/([^/]+)\//.exec(url);
  if (pkg && !url.includes('node_modules')) return `@capture/${pkg[1]}`;
  const modules = url.split('node_modules/');
  if (modules.length > 1) {
    const rest = modules.at(-1).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0] === 'internal' ? url.slice(5).split('/').slice(0, 2).join('/') : url.slice(5)}`;
  return url.split('/').slice(-2).join('/');
}

for (const file of positionals) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfMicros = new Map();
  // Sample i lasted timeDeltas[i + 1]; close enough, and the last sample is dropped.
  for (let i = 0; i < profile.samples.length - 1; i++) {
    const id = profile.samples[i];
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + profile.timeDeltas[i + 1]);
  }
  const total = [...selfMicros.values()].reduce((a, b) => a + b, 0);
  const functions = new Map();
  const sources = new Map();
  for (const [id, micros] of selfMicros) {
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = functionName || '(anonymous)';
    const where = url ? `${url.replace(/^.*\/(packages|node_modules)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${name} ${where}`.trim();
    functions.set(key, (functions.get(key) ?? 0) + micros);
    const source = sourceOf(url, name);
    sources.set(source, (sources.get(source) ?? 0) + micros);
  }
  const busy = total - (sources.get('(idle)') ?? 0);
  const pct = (micros, of) => `${((micros / of) * 100).toFixed(1)}%`.padStart(6);
  console.log(`\n${file}: ${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages of busy time)`);
  console.log('\nself time by source:');
  for (const [source, micros] of [...sources].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    if (source !== '(idle)') console.log(`  ${pct(micros, busy)}  ${source}`);
  }
  console.log(`\nhottest functions (self time, top ${values.top}):`);
  for (const [key, micros] of [...functions].sort((a, b) => b[1] - a[1]).filter(([key]) => !key.startsWith('(idle)')).slice(0, Number(values.top))) {
    console.log(`  ${pct(micros, busy)}  ${key}`);
  }
}
