// The HTTPS benchmark's proxy: @capture/core with @capture/plugin-https (a fresh CA in a temporary
// data folder, the origin's certificate as upstreamCa) and an onExchange listener, as storage
// plugins use it. Host names under .bench.test resolve to 127.0.0.1, so every name the benchmark
// invents reaches the one local origin while the proxy still sees, and certifies, distinct hosts.
import dns from 'node:dns';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createProxy } from '@capture/core';
import https from '@capture/plugin-https';

const lookup = dns.lookup;
dns.lookup = function benchLookup(hostname, options, callback) {
  if (typeof options === 'function') [callback, options] = [options, {}];
  if (!hostname.endsWith('.bench.test')) return lookup.call(this, hostname, options, callback);
  const address = { address: '127.0.0.1', family: 4 };
  if (options?.all) process.nextTick(callback, null, [address]);
  else process.nextTick(callback, null, address.address, address.family);
};

const [originCertFile] = process.argv.slice(2);
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'capture-bench-https-'));
let exchanges = 0;
const counter = {
  name: 'bench-counter',
  apply(proxy) {
    proxy.hooks.onExchange.tap('bench-counter', () => {
      exchanges++;
    });
  },
};
// By default the origin is trusted through NODE_EXTRA_CA_CERTS (set by bench/https.mjs), as a public
// origin is through the system's CAs; --upstream-ca measures the plugin's upstreamCa option instead.
const plugin = https(process.env.BENCH_UPSTREAM_CA ? { upstreamCa: [originCertFile] } : {});
const proxy = await createProxy({ host: '127.0.0.1', port: 0, plugins: [plugin, counter] }, { dataDir });
const info = await proxy.listen();
process.send({ port: info.port, caPem: plugin.api.ca.certPem });
process.on('message', async (message) => {
  if (message !== 'stop') return;
  await proxy.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.send({ exchanges, certificatesIssued: plugin.api.certificatesIssued, rejected: plugin.api.stats.rejected });
  process.exit(0);
});
