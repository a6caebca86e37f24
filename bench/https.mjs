// pnpm bench:https: HTTPS through capture's interception side by side with direct TLS to the same
// local origin, in one run:
//   1. keep-alive: 1 KiB GETs on N connections for D seconds, directly over TLS and over CONNECT
//      tunnels that capture intercepts (TLS to capture, capture's TLS to the origin);
//   2. cold new hosts: H distinct host names, C at a time, each a new TCP connection, (CONNECT,)
//      a TLS handshake with that name as SNI, one GET, close. Through capture every name is a
//      host it has never seen: a certificate is issued per name.
// Host names are mapped to 127.0.0.1 by connecting to 127.0.0.1 and using the name only as SNI
// and CONNECT host (the proxy child resolves *.bench.test to 127.0.0.1). The load comes from this
// process with Node's TLS client, the same for both sides (wrk and autocannon cannot speak
// CONNECT). Clients verify certificates on both sides, and so does capture upstream: it trusts the
// origin through NODE_EXTRA_CA_CERTS, as it trusts public origins through the system's CAs
// (--upstream-ca uses the plugin's upstreamCa option instead). Options: --duration S,
// --connections N, --hosts H, --concurrency C, --rounds R (alternating direct/capture rounds;
// medians are reported), --upstream-ca.
import { execFileSync, fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.join(here, '..', '.bench');
mkdirSync(outDir, { recursive: true });

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '5' },
    connections: { type: 'string', default: '50' },
    hosts: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    'upstream-ca': { type: 'boolean', default: false },
  },
});
const duration = Number(values.duration);
const connections = Number(values.connections);
const hostCount = Number(values.hosts);
const concurrency = Number(values.concurrency);
const rounds = Number(values.rounds);

function start(script, args, env = {}) {
  const child = fork(path.join(here, script), args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...env } });
  const ready = new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return { child, ready };
}

function stop(child) {
  return new Promise((resolve) => {
    let reply;
    child.on('message', (message) => (reply = message));
    child.once('exit', () => resolve(reply));
    child.send('stop');
  });
}

function peakRssMiB(pid) {
  try {
    const kib = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Math.round((kib / 1024) * 10) / 10;
  } catch {
    return undefined;
  }
}

/** The origin's certificate: one self-signed certificate for localhost, *.bench.test and 127.0.0.1. */
function originCertificate() {
  const keyFile = path.join(outDir, 'https-origin-key.pem');
  const certFile = path.join(outDir, 'https-origin.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2',
    '-subj', '/CN=capture bench origin', '-addext', 'subjectAltName=DNS:localhost,DNS:*.bench.test,IP:127.0.0.1'], { stdio: 'ignore' });
  return { keyFile, certFile };
}

/** A verified TLS connection to the origin, directly or through a CONNECT tunnel on the proxy. */
function openTls(target, name) {
  return new Promise((resolve, reject) => {
    const handshake = (socket) => {
      const secure = tls.connect({ socket, servername: name, ca: target.ca });
      secure.once('secureConnect', () => resolve(secure));
      secure.once('error', reject);
    };
    if (!target.proxyPort) {
      handshake(net.connect(target.originPort, '127.0.0.1'));
      return;
    }
    const raw = net.connect(target.proxyPort, '127.0.0.1');
    raw.setNoDelay(true);
    raw.once('error', reject);
    raw.write(`CONNECT ${name}:${target.originPort} HTTP/1.1\r\nHost: ${name}:${target.originPort}\r\n\r\n`);
    let head = '';
    const onData = (chunk) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      raw.off('data', onData);
      if (!head.startsWith('HTTP/1.1 200')) return reject(new Error(`CONNECT answered ${head.split('\r\n')[0]}`));
      raw.pause();
      handshake(raw);
    };
    raw.on('data', onData);
  });
}

/** Length of the first complete HTTP response in `buffer`, or -1. Only what this origin sends: Content-Length or chunked. */
function responseLength(buffer) {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd < 0) return -1;
  const head = buffer.toString('latin1', 0, headEnd);
  if (!head.startsWith('HTTP/1.1 200')) throw new Error(`unexpected response: ${head.split('\r\n')[0]}`);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const total = headEnd + 4 + Number(length[1]);
    return buffer.length >= total ? total : -1;
  }
  const last = buffer.indexOf('\r\n0\r\n\r\n', headEnd);
  return last < 0 ? -1 : last + 7;
}

/** Sends GETs one after another on `socket` until `deadline`; records each latency. */
function getLoop(socket, host, deadline, latencies) {
  return new Promise((resolve) => {
    const request = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    let buffer = Buffer.alloc(0);
    let sentAt = 0;
    let errors = 0;
    const send = () => {
      sentAt = performance.now();
      socket.write(request);
    };
    socket.on('data', (chunk) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      let length;
      while ((length = responseLength(buffer)) > 0) {
        buffer = buffer.subarray(length);
        latencies.push(performance.now() - sentAt);
        if (performance.now() >= deadline) {
          socket.destroy();
          return resolve(errors);
        }
        send();
      }
    });
    socket.on('error', () => {
      errors++;
      resolve(errors);
    });
    send();
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

async function keepAlive(target, seconds) {
  const sockets = await Promise.all(Array.from({ length: connections }, () => openTls(target, 'localhost')));
  const latencies = [];
  const started = performance.now();
  const errors = await Promise.all(sockets.map((socket) => getLoop(socket, 'localhost', started + seconds * 1000, latencies)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rps: latencies.length / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors: errors.reduce((a, b) => a + b, 0) };
}

/** `names.length` new connections, `concurrency` at a time, each TLS plus one GET. */
async function coldHosts(target, names) {
  let next = 0;
  let errors = 0;
  const latencies = [];
  const worker = async () => {
    while (next < names.length) {
      const name = names[next++];
      const began = performance.now();
      try {
        const socket = await openTls(target, name);
        await getLoop(socket, name, 0, []);
        latencies.push(performance.now() - began);
      } catch {
        errors++;
      }
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: (names.length - errors) / elapsed, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}

const names = (prefix, count) => Array.from({ length: count }, (_, i) => `${prefix}-${i}.bench.test`);

const certificate = originCertificate();
const originCa = readFileSync(certificate.certFile, 'utf8');
const origin = start('https-origin-server.mjs', [certificate.keyFile, certificate.certFile]);
const { port: originPort } = await origin.ready;
const proxy = start('https-proxy-server.mjs', [certificate.certFile], values['upstream-ca'] ? { BENCH_UPSTREAM_CA: '1' } : { NODE_EXTRA_CA_CERTS: certificate.certFile });
const { port: proxyPort, caPem } = await proxy.ready;
const direct = { originPort, ca: originCa };
const through = { originPort, proxyPort, ca: caPem };

console.log(`capture HTTPS bench: ${rounds} alternating rounds of ${connections} keep-alive connections for ${duration} s and ${hostCount} new host names, ${concurrency} at a time; origin trusted by ${values['upstream-ca'] ? 'upstreamCa' : 'NODE_EXTRA_CA_CERTS'}`);
await keepAlive(direct, 1); // warm-up (JIT, origin)
await keepAlive(through, 1); // warm-up (JIT, upstream pool, the localhost certificate)
await coldHosts(direct, names('warm', 20));
await coldHosts(through, names('warm', 20));
// Direct and capture alternate in short rounds, and medians are reported, so that load from other
// processes on a shared machine hits both sides alike.
const runs = { directKeepAlive: [], proxiedKeepAlive: [], directCold: [], proxiedCold: [] };
for (let round = 0; round < rounds; round++) {
  runs.directKeepAlive.push(await keepAlive(direct, duration));
  runs.proxiedKeepAlive.push(await keepAlive(through, duration));
  runs.directCold.push(await coldHosts(direct, names(`cold${round}`, hostCount)));
  runs.proxiedCold.push(await coldHosts(through, names(`cold${round}`, hostCount)));
}
const median = (list, key) => [...list].sort((a, b) => a[key] - b[key])[Math.floor(list.length / 2)];
const directKeepAlive = median(runs.directKeepAlive, 'rps');
const proxiedKeepAlive = median(runs.proxiedKeepAlive, 'rps');
const directCold = median(runs.directCold, 'rate');
const proxiedCold = median(runs.proxiedCold, 'rate');
const peakRss = peakRssMiB(proxy.child.pid);
const proxyReport = (await stop(proxy.child)) ?? {};
await stop(origin.child);

const fmt = (n) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
console.log('\n| scenario | target | rate | p50 ms | p99 ms | errors |\n|---|---|---:|---:|---:|---:|');
console.log(`| keep-alive GETs | direct TLS | ${Math.round(directKeepAlive.rps)} req/s | ${fmt(directKeepAlive.p50)} | ${fmt(directKeepAlive.p99)} | ${directKeepAlive.errors} |`);
console.log(`| keep-alive GETs | capture (CONNECT + interception) | ${Math.round(proxiedKeepAlive.rps)} req/s | ${fmt(proxiedKeepAlive.p50)} | ${fmt(proxiedKeepAlive.p99)} | ${proxiedKeepAlive.errors} |`);
console.log(`| new hosts (TCP, TLS, 1 GET) | direct TLS | ${fmt(directCold.rate)} hosts/s | ${fmt(directCold.p50)} | ${fmt(directCold.p99)} | ${directCold.errors} |`);
console.log(`| new hosts (TCP, CONNECT, TLS, 1 GET) | capture | ${fmt(proxiedCold.rate)} hosts/s | ${fmt(proxiedCold.p50)} | ${fmt(proxiedCold.p99)} | ${proxiedCold.errors} |`);
const keepAliveRatio = proxiedKeepAlive.rps / directKeepAlive.rps;
const coldRatio = proxiedCold.rate / directCold.rate;
console.log(`\nkeep-alive through capture: ${(keepAliveRatio * 100).toFixed(1)}% of direct (target >= 20%)`);
console.log(`new-host handshakes through capture: ${(coldRatio * 100).toFixed(1)}% of direct (target >= 50%)`);
console.log(`proxy peak RSS: ${peakRss ?? 'n/a'} MiB; certificates issued: ${proxyReport.certificatesIssued}; exchanges: ${proxyReport.exchanges}; rejected handshakes: ${proxyReport.rejected}`);
const result = {
  connections, duration, hosts: hostCount, concurrency, rounds, runs,
  keepAlive: { direct: directKeepAlive, capture: proxiedKeepAlive, ratio: keepAliveRatio },
  newHosts: { direct: directCold, capture: proxiedCold, ratio: coldRatio },
  peakRssMiB: peakRss, ...proxyReport, node: process.version, date: new Date().toISOString(),
};
writeFileSync(path.join(outDir, 'https-result.json'), JSON.stringify(result, null, 2));
console.log(keepAliveRatio >= 0.2 && coldRatio >= 0.5 ? 'targets met' : 'targets NOT met');
