// The proxy under test for bench/filters.mjs: @capture/core with a listener on onExchange (as
// storage plugins use it), plus @capture/plugin-filters as the first argument asks:
// `none` (no filters plugin), `default` (filters() with no rules: media handling only) or `rules`
// (a representative rule set, sent as JSON in the second argument).
import { createProxy } from '@capture/core';
import filters from '@capture/plugin-filters';

const [variant = 'none', rulesJson = '{}'] = process.argv.slice(2);
let exchanges = 0;
let skipped = 0;
const counter = {
  name: 'bench-counter',
  apply(proxy) {
    proxy.hooks.onExchange.tap('bench-counter', () => {
      exchanges++;
    });
    proxy.hooks.onSkipped.tap('bench-counter', () => {
      skipped++;
    });
  },
};
const plugins = variant === 'none' ? [counter] : [counter, filters(variant === 'rules' ? JSON.parse(rulesJson) : {})];
const proxy = await createProxy({ host: '127.0.0.1', port: 0, plugins });
const info = await proxy.listen();
process.send({ port: info.port });
process.on('message', async (message) => {
  const cpu = process.cpuUsage();
  const snapshot = { exchanges, skipped, cpuMicros: cpu.user + cpu.system };
  if (message === 'mark') return void process.send(snapshot);
  if (message !== 'stop') return;
  await proxy.close();
  process.send(snapshot);
  process.exit(0);
});
