import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { collectExchanges, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../../src/testing/index.js';
import { expectHealthy, expectWhole, openFds } from './health.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
});

function get(port: number, url: string, agent: http.Agent | false): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: url, agent }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('load', () => {
  it('serves 1,000 concurrent clients, every response correct', async () => {
    origin = await startOrigin((req, res) => {
      const id = new URL(req.url ?? '/', 'http://x').searchParams.get('id');
      res.setHeader('Content-Type', 'text/plain');
      res.end(`response for ${id}`);
    });
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const fdBaseline = openFds();
    const count = 1000;
    const results = await Promise.all(
      Array.from({ length: count }, (_, id) => get(proxy!.port, `${origin!.url}/item?id=${id}`, false)),
    );
    results.forEach((result, id) => {
      expect(result.status).toBe(200);
      expect(result.body).toBe(`response for ${id}`);
    });
    const all = await exchanges.waitFor(count);
    all.forEach(expectWhole);
    expect(new Set(all.map((exchange) => exchange.request.url)).size).toBe(count);
    await expectHealthy(proxy.proxy, proxy.port, origin, fdBaseline + 5);
  });

  it(
    'keeps memory flat in a soak at steady load',
    async () => {
      const seconds = Number(process.env.CAPTURE_SOAK_SECONDS ?? 120);
      origin = await startOrigin((_req, res) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ ok: true, padding: 'x'.repeat(2048) }));
      });
      // The proxy runs in a child process so its memory is measured alone.
      const child = fork(fileURLToPath(new URL('./fixtures/proxy-child.mjs', import.meta.url)), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const { port } = await new Promise<{ port: number }>((resolve) => child.once('message', (message) => resolve(message as { port: number })));
      const rss = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) / 1024;
      const agent = new http.Agent({ keepAlive: true, maxSockets: 20 });
      const deadline = Date.now() + seconds * 1000;
      let warm = 0;
      let sent = 0;
      let failed = 0;
      const worker = async () => {
        while (Date.now() < deadline) {
          const result = await get(port, `${origin!.url}/soak`, agent).catch(() => ({ status: 0, body: '' }));
          sent++;
          if (result.status !== 200) failed++;
        }
      };
      const warmUp = Date.now() + Math.min(10, seconds / 4) * 1000;
      const sampler = new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          if (!warm && Date.now() >= warmUp) warm = rss();
          if (Date.now() >= deadline) {
            clearInterval(timer);
            resolve();
          }
        }, 250);
      });
      await Promise.all([...Array.from({ length: 20 }, worker), sampler]);
      const end = rss();
      agent.destroy();
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      console.log(`soak: ${seconds} s, ${sent} requests, ${failed} failed, proxy RSS after warm-up ${warm.toFixed(1)} MiB, at end ${end.toFixed(1)} MiB`);
      expect(failed).toBe(0);
      expect(end - warm).toBeLessThan(40);
    },
    Number(process.env.CAPTURE_SOAK_SECONDS ?? 120) * 1000 + 60_000,
  );
});
