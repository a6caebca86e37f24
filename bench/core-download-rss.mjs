// Peak RSS of a bare @capture/core proxy over one large download by curl (bench/servers/origin.mjs's
// `GET /download/<bytes>` streams it with backpressure). `capture`: one onExchange tap, so bodies are
// captured up to maxBodySize (10 MiB); `none`: no taps (nothing captured). With a rate (curl
// --limit-rate, e.g. 1M) the download runs 30 s and the proxy's RSS is printed every second: flat
// when backpressure holds the origin back.
// Usage: node bench/core-download-rss.mjs CORE_DIST_INDEX none|capture [bytes] [rate]
import { fork, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const message = (child) => new Promise((resolve) => child.once('message', resolve));

if (process.argv[2] === '--proxy') {
  const { createProxy } = await import(pathToFileURL(path.resolve(process.argv[3])).href);
  const plugins = process.argv[4] === 'capture' ? [{ name: 'store', apply: (p) => p.hooks.onExchange.tap('store', () => undefined) }] : [];
  const proxy = await createProxy({ host: '127.0.0.1', port: 0, plugins });
  process.send({ port: (await proxy.listen()).port });
  process.on('message', () => proxy.close().then(() => process.exit(0)));
} else {
  const [core, mode, bytes = String(512 * 1024 * 1024), rate] = process.argv.slice(2);
  const tls = path.join(here, '..', 'packages', 'core', 'test', 'fixtures');
  const origin = fork(path.join(here, 'servers', 'origin.mjs'), [path.join(tls, 'localhost.key'), path.join(tls, 'localhost.crt')], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const ports = await message(origin);
  const proxy = fork(fileURLToPath(import.meta.url), ['--proxy', core, mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port } = await message(proxy);
  const mib = (field) => Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync(`/proc/${proxy.pid}/status`, 'utf8'))[1]) / 1024);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  const idle = mib('VmRSS');
  const samples = [];
  const timer = setInterval(() => samples.push(mib('VmRSS')), 1000);
  const args = ['-s', '-o', '/dev/null', '-w', '%{speed_download}', '-x', `http://127.0.0.1:${port}`, `http://127.0.0.1:${ports.httpPort}/download/${bytes}`];
  if (rate) args.unshift('--limit-rate', rate, '--max-time', '30');
  const speed = await new Promise((resolve) => {
    let out = '';
    const curl = spawn('curl', args);
    curl.stdout.on('data', (data) => (out += data));
    curl.on('exit', () => resolve(Number(out)));
  });
  clearInterval(timer);
  console.log(JSON.stringify({ mode, rate, idleMiB: idle, peakMiB: mib('VmHWM'), MiBps: Math.round(speed / 1048576), ...(rate ? { rssEverySecond: samples } : {}) }));
  proxy.send('stop');
  origin.kill();
}
