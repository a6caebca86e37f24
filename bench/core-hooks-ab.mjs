// A/B of @capture/core builds on the per-exchange hooks: each build runs a proxy whose taps have the
// shape of `capture start`'s defaults (onRequest: three FIRST/LAST taps, two FILTER taps; onResponse:
// one; onExchange: TRANSFORM, STORAGE, two OBSERVE), against bench/origin-server.mjs, loaded by wrk
// (50 connections, 1 KiB GETs), rounds alternating. Prints the proxy's CPU µs per exchange (its own
// process.cpuUsage over the measured run) and requests/s, medians of the rounds.
// Usage: node bench/core-hooks-ab.mjs '[["before","/path/to/old/core/dist/index.js","old"],["after","packages/core/dist/index.js","new"]]' [rounds] [seconds]
// Tap shapes: old = the TRANSFORM onExchange tap is tapPromise (plugin-grpc before), new = a sync tap,
// sync = the FIRST/LAST onRequest taps are sync too (plugin-https and plugin-web converted).
import { execFileSync, fork } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const message = (child) => new Promise((resolve) => child.once('message', resolve));

if (process.argv[2] === '--proxy') {
  const { createProxy, Stage } = await import(pathToFileURL(path.resolve(process.argv[3])).href);
  const mode = process.argv[4];
  let exchanges = 0;
  const shape = {
    name: 'defaults-shape',
    apply(proxy) {
      const onRequest = proxy.hooks.onRequest;
      for (const stage of [Stage.FIRST, Stage.FIRST, Stage.LAST]) {
        if (mode === 'sync') onRequest.tap({ name: 'guard', stage }, () => undefined);
        else onRequest.tapPromise({ name: 'guard', stage }, async () => undefined);
      }
      onRequest.tap({ name: 'web', stage: Stage.FILTER }, () => undefined);
      onRequest.tap({ name: 'filters', stage: Stage.FILTER }, () => undefined);
      proxy.hooks.onResponse.tap({ name: 'filters', stage: Stage.FILTER }, () => undefined);
      if (mode === 'old') proxy.hooks.onExchange.tapPromise({ name: 'grpc', stage: Stage.TRANSFORM }, async () => undefined);
      else proxy.hooks.onExchange.tap({ name: 'grpc', stage: Stage.TRANSFORM }, () => undefined);
      proxy.hooks.onExchange.tap({ name: 'history', stage: Stage.STORAGE }, () => void exchanges++);
      for (const name of ['web', 'live-log']) proxy.hooks.onExchange.tap({ name, stage: Stage.OBSERVE }, () => undefined);
    },
  };
  const proxy = await createProxy({ host: '127.0.0.1', port: 0, plugins: [shape] });
  const info = await proxy.listen();
  process.send({ port: info.port });
  process.on('message', async (command) => {
    const cpu = process.cpuUsage();
    if (command === 'mark') process.send({ exchanges, cpu: cpu.user + cpu.system });
    if (command === 'stop') await proxy.close().then(() => process.exit(0));
  });
} else {
  const variants = JSON.parse(process.argv[2]);
  const rounds = Number(process.argv[3] ?? 5);
  const seconds = Number(process.argv[4] ?? 5);
  const origin = fork(path.join(here, 'origin-server.mjs'), { stdio: 'ignore' });
  const { port: originPort } = await message(origin);
  const script = path.join(here, '..', '.bench', 'core-hooks-ab.lua');
  execFileSync('mkdir', ['-p', path.dirname(script)]);
  writeFileSync(script, `wrk.path = "http://127.0.0.1:${originPort}/"\n`);
  const results = Object.fromEntries(variants.map(([label]) => [label, []]));
  for (let round = 0; round < rounds; round++) {
    const shift = round % variants.length;
    for (const [label, core, mode] of [...variants.slice(shift), ...variants.slice(0, shift)]) {
      const child = fork(fileURLToPath(import.meta.url), ['--proxy', core, mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const { port } = await message(child);
      const load = (duration) => execFileSync('wrk', ['-t1', '-c50', `-d${duration}s`, '-s', script, `http://127.0.0.1:${port}`]).toString();
      load(1);
      child.send('mark');
      const before = await message(child);
      const output = load(seconds);
      child.send('mark');
      const after = await message(child);
      const rate = Number(/Requests\/sec:\s+([\d.]+)/.exec(output)[1]);
      const micros = (after.cpu - before.cpu) / (after.exchanges - before.exchanges);
      results[label].push({ rate, micros });
      console.log(`round ${round + 1} ${label}: ${rate.toFixed(0)} req/s, ${micros.toFixed(1)} µs CPU/exchange`);
      child.send('stop');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  }
  const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];
  for (const [label, list] of Object.entries(results)) {
    console.log(`${label}: median ${median(list.map((r) => r.rate)).toFixed(0)} req/s, ${median(list.map((r) => r.micros)).toFixed(1)} µs CPU/exchange`);
  }
  origin.send('stop');
}
