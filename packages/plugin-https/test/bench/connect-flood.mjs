// The flood measurement of issue 22 item 8 (not a test: timings belong in the report, not in
// assertions). One client (127.0.0.1) opens intercepted TLS connections for `--flood` distinct
// new host names, `--concurrency` at a time; meanwhile a second client (127.0.0.2) sends
// intercepted HTTPS requests, one new connection each, to a local origin. Prints the second
// client's median latency alone and during the flood. The proxy, the flood and the measuring
// client run in three processes, so none of them measures another's CPU.
//
//   node test/bench/connect-flood.mjs [--dist ../../dist/index.js] [--flood 2000] [--concurrency 50] [--mode sni|connect] [--second false]
//
// Flood names are SNI names over `CONNECT localhost:<port>`: each needs its own certificate,
// while the origin probe goes to localhost only (no DNS query leaves the machine).
import { fork } from 'node:child_process';
import crypto from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const self = fileURLToPath(import.meta.url);
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    dist: { type: 'string', default: path.join(path.dirname(self), '../../dist/index.js') },
    flood: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '50' },
    baseline: { type: 'string', default: '200' },
    mode: { type: 'string', default: 'sni' },
    // `--second false`: no second client during the flood (the flood's own hosts/s alone).
    second: { type: 'string', default: 'true' },
  },
});

function connect(proxyPort, authority, localAddress) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: authority, agent: false, localAddress });
    req.on('connect', (res, socket) => (res.statusCode === 200 ? resolve(socket) : (socket.destroy(), reject(new Error(`CONNECT ${res.statusCode}`)))));
    req.on('error', reject);
    req.end();
  });
}

function handshake(socket, options) {
  return new Promise((resolve, reject) => {
    const secure = tls.connect({ socket, ...options });
    secure.once('secureConnect', () => resolve(secure));
    secure.once('error', reject);
  });
}

/** One intercepted HTTPS request on a new connection; resolves with its latency in ms. */
async function timedRequest(proxyPort, originPort, caPem) {
  const started = performance.now();
  const socket = await connect(proxyPort, `localhost:${originPort}`, '127.0.0.2');
  const secure = await handshake(socket, { servername: 'localhost', ca: caPem });
  await new Promise((resolve, reject) => {
    secure.write(`GET / HTTP/1.1\r\nHost: localhost:${originPort}\r\nConnection: close\r\n\r\n`);
    let text = '';
    secure.on('data', (chunk) => (text += chunk));
    secure.on('end', () => (text.startsWith('HTTP/1.1 200') ? resolve() : reject(new Error(text.slice(0, 80)))));
    secure.on('error', reject);
  });
  secure.destroy();
  return performance.now() - started;
}

const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const pct = (list, p) => [...list].sort((a, b) => a - b)[Math.min(list.length - 1, Math.floor(list.length * p))];

if (positionals[0] === 'proxy') {
  // The proxy process: the plugin under test, with a fresh data folder.
  const { startProxy } = await import('@capture/core/testing');
  const { default: httpsPlugin } = await import(pathToFileURL(path.resolve(values.dist)).href);
  const plugin = httpsPlugin({ insecureUpstream: true });
  const proxy = await startProxy({ plugins: [plugin] });
  process.send({ port: proxy.port, caPem: plugin.api.ca.certPem });
  process.on('message', async () => {
    process.send({ issued: plugin.api.certificatesIssued, stats: { ...plugin.api.stats } });
    await proxy.close();
    process.exit(0);
  });
} else if (positionals[0] === 'flood') {
  // The flooding client: new names, `concurrency` at a time, each a full handshake then closed.
  const [, proxyPort, originPort] = positionals.map(Number);
  const total = Number(values.flood);
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < total) {
      const name = `h${next++}-${crypto.randomBytes(3).toString('hex')}.flood.test`;
      try {
        if (values.mode === 'connect') {
          // CONNECT only, never a ClientHello: what a certificate issued before it would cost.
          const socket = await connect(proxyPort, `${name}:443`, '127.0.0.1');
          socket.destroy();
        } else {
          const socket = await connect(proxyPort, `localhost:${originPort}`, '127.0.0.1');
          const secure = await handshake(socket, { servername: name, rejectUnauthorized: false });
          secure.destroy();
        }
      } catch {
        failed++;
      }
    }
  };
  process.send({ started: true });
  const started = performance.now();
  await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
  process.send({ done: true, ms: performance.now() - started, failed });
  process.exit(0);
} else {
  const { selfSignedCertificate } = await import('./tls-origin-cert.mjs');
  const certificate = selfSignedCertificate();
  const origin = https.createServer({ key: certificate.keyPem, cert: certificate.certPem }, (req, res) => res.end('ok'));
  await new Promise((resolve) => origin.listen(0, '127.0.0.1', resolve));
  const originPort = origin.address().port;
  const proxyChild = fork(self, ['proxy', '--dist', values.dist]);
  const { port, caPem } = await new Promise((resolve) => proxyChild.once('message', resolve));

  for (let i = 0; i < 20; i++) await timedRequest(port, originPort, caPem);
  const alone = [];
  for (let i = 0; i < Number(values.baseline); i++) alone.push(await timedRequest(port, originPort, caPem));

  const flood = fork(self, ['flood', String(port), String(originPort), '--flood', values.flood, '--concurrency', values.concurrency, '--mode', values.mode]);
  await new Promise((resolve) => flood.once('message', resolve));
  let floodResult;
  const floodDone = new Promise((resolve) => flood.on('message', (message) => message.done && resolve((floodResult = message))));
  const during = [];
  let errors = 0;
  while (!floodResult && values.second !== 'false') {
    try {
      during.push(await timedRequest(port, originPort, caPem));
    } catch {
      errors++;
    }
  }
  await floodDone;
  proxyChild.send('stop');
  const final = await new Promise((resolve) => proxyChild.once('message', resolve));
  origin.close();
  const fmt = (n) => `${n.toFixed(1)} ms`;
  console.log(JSON.stringify({
    dist: values.dist,
    mode: values.mode,
    flood: Number(values.flood),
    concurrency: Number(values.concurrency),
    floodMs: Math.round(floodResult.ms),
    floodHostsPerSecond: Math.round(Number(values.flood) / (floodResult.ms / 1000)),
    floodFailed: floodResult.failed,
    alone: { n: alone.length, median: fmt(median(alone)), p90: fmt(pct(alone, 0.9)) },
    during: { n: during.length, errors, median: during.length ? fmt(median(during)) : 'n/a', p90: during.length ? fmt(pct(during, 0.9)) : 'n/a', max: during.length ? fmt(Math.max(...during)) : 'n/a' },
    proxy: final,
  }, null, 1));
}
