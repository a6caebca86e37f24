// One long-lived HTTP/2 connection through `capture start` (default plugins, history recording
// every stream) carrying N streams (default 100,000; `--count`), 50 at a time, to a local h2
// origin: the proxy's RSS is sampled as the streams go, to show that a connection's finished
// streams leave nothing behind (issue 14: mitmproxy kept every stream of a connection). Loopback
// only; bounded by the count. `node bench/h2-streams.mjs [--count N]`.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startCapture } from './lib/targets.mjs';
import { openTls } from './lib/tls-load.mjs';

const { values } = parseArgs({ options: { count: { type: 'string', default: '100000' }, out: { type: 'string' } } });
const count = Number(values.count);
const BATCH = 50;

const work = mkdtempSync(path.join(os.tmpdir(), 'capture-h2-streams-'));
const keyFile = path.join(work, 'origin.key');
const certFile = path.join(work, 'origin.crt');
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', '/CN=localhost', '-days', '2', '-addext', 'subjectAltName=DNS:localhost'], { stdio: 'ignore' });
const body = Buffer.alloc(1024, 'x');
const origin = http2.createSecureServer({ key: readFileSync(keyFile), cert: readFileSync(certFile), allowHTTP1: false });
origin.on('stream', (stream) => {
  stream.on('error', () => {});
  stream.respond({ ':status': 200, 'content-length': body.length });
  stream.end(body);
});
await new Promise((resolve) => origin.listen(0, '127.0.0.1', resolve));
const originPort = origin.address().port;

const capture = await startCapture({ dataDir: path.join(work, 'home'), originCertFile: certFile });
const rssMiB = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${capture.pid}/status`, 'utf8'))[1]) / 1024;
const socket = await openTls({ originPort, proxyPort: capture.port, ca: readFileSync(capture.caFile) }, 'localhost', ['h2']);
if (socket.alpnProtocol !== 'h2') throw new Error(`ALPN chose ${socket.alpnProtocol}, not h2`);
const session = http2.connect(`https://localhost:${originPort}`, { createConnection: () => socket });
session.on('error', () => {});

const get = () =>
  new Promise((resolve) => {
    const stream = session.request({ ':path': '/' });
    let bytes = 0;
    stream.on('data', (chunk) => (bytes += chunk.length));
    stream.on('end', () => resolve(bytes === body.length));
    stream.on('error', () => resolve(false));
    stream.on('close', () => resolve(false));
  });

const samples = [];
let failed = 0;
const started = performance.now();
for (let done = 0; done < count; done += BATCH) {
  const results = await Promise.all(Array.from({ length: Math.min(BATCH, count - done) }, get));
  failed += results.filter((ok) => !ok).length;
  const total = done + BATCH;
  if (total % 10_000 === 0 || total >= count) samples.push({ streams: Math.min(total, count), rssMiB: Math.round(rssMiB() * 10) / 10 });
}
const seconds = (performance.now() - started) / 1000;
session.close();
await capture.stop();
await new Promise((resolve) => origin.close(resolve));
rmSync(work, { recursive: true, force: true });

const at = (n) => samples.find((sample) => sample.streams >= n)?.rssMiB;
const lines = [
  `# ${count.toLocaleString('en')} streams on one HTTP/2 connection through capture`,
  '',
  `${new Date().toISOString().slice(0, 10)}, Node ${process.version}; capture start with its default plugins (history recording every stream), ${BATCH} streams in flight, 1 KiB answers; ${seconds.toFixed(1)} s, ${Math.round(count / seconds)} streams/s, ${failed} failed.`,
  '',
  '| streams | proxy RSS MiB |',
  '| ---: | ---: |',
  ...samples.map((sample) => `| ${sample.streams.toLocaleString('en')} | ${sample.rssMiB} |`),
  '',
  `RSS at the end against RSS at ${Math.min(10_000, count).toLocaleString('en')} streams: ${(at(count) - at(Math.min(10_000, count))).toFixed(1)} MiB.`,
];
console.log(lines.join('\n'));
if (values.out) writeFileSync(values.out, `${lines.join('\n')}\n`);
