// What the web view costs the proxy (issue 19): `capture start` (built CLI, --no-history unless
// WEB_LIVE_HISTORY=1) with and without --no-web, alternating rounds on loopback only.
// 1) CPU µs per proxied request under wrk keep-alive 1 KiB GETs (median of rounds).
// 2) Peak RSS (VmHWM) over N downloads of 512 MiB by curl.
// Usage: node bench/web-live.mjs [rounds=3] [seconds=5] [downloads=3]
import { spawn } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { download, keepAliveLoader } from './lib/http-load.mjs';
import { cpuSeconds, peakRssMiB } from './lib/proc.mjs';
import { median } from './lib/report.mjs';

const [rounds = 3, seconds = 5, downloads = 3] = process.argv.slice(2).map(Number);
const history = process.env.WEB_LIVE_HISTORY === '1';
const bin = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'packages', 'cli', 'dist', 'bin.js');

const small = Buffer.alloc(1024, 'x');
const chunk = Buffer.alloc(64 * 1024, 'y');
const origin = http.createServer((req, res) => {
  const size = /^\/download\/(\d+)$/.exec(req.url ?? '')?.[1];
  if (!size) return res.end(small);
  let left = Number(size);
  res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': left });
  const pump = () => {
    while (left > 0) {
      const n = Math.min(left, chunk.length);
      left -= n;
      if (!res.write(n === chunk.length ? chunk : chunk.subarray(0, n))) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
});
await new Promise((resolve) => origin.listen(0, '127.0.0.1', resolve));
const originUrl = `http://127.0.0.1:${origin.address().port}`;

async function startCapture(web) {
  const home = mkdtempSync(path.join(tmpdir(), 'web-live-'));
  const args = [bin, 'start', '--port', '0', '--host', '127.0.0.1', '--web-port', '0', '--quiet', ...(history ? [] : ['--no-history']), ...(web ? [] : ['--no-web'])];
  const child = spawn(process.execPath, args, { env: { ...process.env, CAPTURE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  const port = await new Promise((resolve, reject) => {
    let text = '';
    const onData = (data) => {
      text += data;
      const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
      if (match) resolve(Number(match[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`capture exited ${code}: ${text}`)));
  });
  const stop = async () => {
    child.kill('SIGINT');
    await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve()));
    rmSync(home, { recursive: true, force: true });
  };
  return { pid: child.pid, port, stop };
}

const scratchDir = mkdtempSync(path.join(tmpdir(), 'web-live-wrk-'));
const load = keepAliveLoader('wrk');
const cpu = { web: [], noWeb: [] };
for (let round = 0; round < rounds; round++) {
  for (const web of round % 2 ? [false, true] : [true, false]) {
    const capture = await startCapture(web);
    await load(`http://127.0.0.1:${capture.port}`, `${originUrl}/`, { connections: 8, seconds: 1, scratchDir }); // warm-up
    const before = cpuSeconds(capture.pid);
    const result = await load(`http://127.0.0.1:${capture.port}`, `${originUrl}/`, { connections: 8, seconds, scratchDir });
    const used = cpuSeconds(capture.pid) - before;
    (web ? cpu.web : cpu.noWeb).push((used * 1e6) / result.requests);
    await capture.stop();
  }
}
const rss = {};
for (const web of [true, false]) {
  const capture = await startCapture(web);
  for (let i = 0; i < downloads; i++) {
    const result = await download(`${originUrl}/download/${512 * 1048576}`, { proxyPort: capture.port });
    if (result.errors) throw new Error(`download failed: ${result.message ?? 'status'}`);
  }
  rss[web ? 'web' : 'noWeb'] = peakRssMiB(capture.pid);
  await capture.stop();
}
rmSync(scratchDir, { recursive: true, force: true });
origin.close();
const fmt = (n) => n.toFixed(1);
console.log(`history: ${history ? 'on' : 'off (--no-history)'}; ${rounds} rounds of ${seconds} s, ${downloads} x 512 MiB downloads`);
console.log(`CPU µs/request: web ${fmt(median(cpu.web))} [${cpu.web.map(fmt).join(', ')}], --no-web ${fmt(median(cpu.noWeb))} [${cpu.noWeb.map(fmt).join(', ')}], web costs ${fmt(median(cpu.web) - median(cpu.noWeb))}`);
console.log(`peak RSS (VmHWM) MiB: web ${rss.web}, --no-web ${rss.noWeb}`);
