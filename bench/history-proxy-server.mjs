// The proxy under test for bench/history.mjs: @capture/core with no plugins (`off`: capture
// off, nothing listens on onExchange), with only a listener on onExchange (`listener`: the core's
// own capture work, without storage), or with @capture/plugin-history writing to a fresh
// history.db in the folder given as the second argument (`history`).
import { createRequire } from 'node:module';
import path from 'node:path';
import { createProxy } from '@capture/core';
import { pathToFileURL } from 'node:url';

// CAPTURE_BENCH_HISTORY=<dist/index.js> runs another build of the plugin (a before/after).
const { default: history } = await import(process.env.CAPTURE_BENCH_HISTORY ? pathToFileURL(path.resolve(process.env.CAPTURE_BENCH_HISTORY)).href : '@capture/plugin-history');

// better-sqlite3 as the plugin resolves it, to count the rows it wrote.
const Database = createRequire(import.meta.resolve('@capture/plugin-history'))('better-sqlite3');

const [variant = 'off', dataDir] = process.argv.slice(2);
let exchanges = 0;
// Counts what the core hands to storage, after history (Stage.OBSERVE runs last): only in the
// history variant, so the `off` proxy really has no onExchange listener.
const counter = {
  name: 'bench-counter',
  apply(proxy) {
    proxy.hooks.onExchange.tap({ name: 'bench-counter', stage: 200 }, () => {
      exchanges++;
    });
  },
};
const plugins = variant === 'history' ? [history(), counter] : variant === 'listener' ? [counter] : [];
const proxy = await createProxy({ host: '127.0.0.1', port: 0, dataDir, plugins });
const info = await proxy.listen();
process.send({ port: info.port });
process.on('message', async (message) => {
  const cpu = process.cpuUsage();
  const snapshot = { exchanges, cpuMicros: cpu.user + cpu.system };
  if (message === 'mark') return void process.send(snapshot);
  if (message !== 'stop') return;
  await proxy.close();
  // Rows written, read back after close (every batch flushed): the store kept up with the load.
  let written = 0;
  if (variant === 'history') {
    const db = new Database(path.join(dataDir, 'history.db'), { readonly: true });
    written = db.prepare('SELECT count(*) FROM exchanges').pluck().get();
    db.close();
  }
  process.send({ ...snapshot, written });
  process.exit(0);
});
