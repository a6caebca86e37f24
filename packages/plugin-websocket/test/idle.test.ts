import { execFileSync } from 'node:child_process';
import type { Socket } from 'node:net';
import { afterEach, expect, it } from 'vitest';
import { rawClient, startRig, type Rig } from './harness.js';

let rig: Rig | undefined;
const clients: Socket[] = [];
afterEach(async () => {
  for (const socket of clients.splice(0)) socket.destroy();
  await rig?.close();
  rig = undefined;
});

/** Each connection holds four descriptors (client, both splice ends, the server's); stay under the limit. */
function connectionBudget(wanted: number): number {
  try {
    const limit = Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
    if (Number.isFinite(limit)) return Math.min(wanted, Math.floor((limit - 256) / 4));
  } catch {
    // unknown limit: try the full count
  }
  return wanted;
}

const gc = (globalThis as { gc?: () => void }).gc;
const heap = (): number => {
  gc?.();
  gc?.();
  return gc ? process.memoryUsage().heapUsed : process.memoryUsage().rss;
};

it('holds 1,000 idle connections in bounded memory and no CPU', async () => {
  const count = connectionBudget(1000);
  rig = await startRig();
  // Warm up so code and pools are not counted per connection.
  for (let i = 0; i < 20; i++) clients.push((await rawClient(rig.url)).socket);
  const before = heap();
  for (let i = 20; i < count; i++) clients.push((await rawClient(rig.url)).socket);
  expect(rig.relays).toHaveLength(count);
  const after = heap();
  const perConnection = (after - before) / (count - 20);
  const cpuStart = process.cpuUsage();
  const window = performance.now();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const elapsed = performance.now() - window;
  console.log(
    `${count} idle connections: ${(perConnection / 1024).toFixed(1)} KiB ${gc ? 'heap' : 'RSS'} per connection ` +
      `(relay, ws server side and splice sockets), ${cpuMs.toFixed(1)} ms CPU in ${elapsed.toFixed(0)} ms idle`,
  );
  // Measured about 10 KiB of heap per connection, all of it counted; RSS is noisier.
  expect(perConnection).toBeLessThan(gc ? 32 * 1024 : 256 * 1024);
  expect(cpuMs).toBeLessThan(250);
  // Every relay still works: close all and each completes once.
  const done = Promise.all(rig.relays.map((relay) => relay.done));
  for (const socket of clients) socket.destroy();
  const completions = await done;
  expect(completions.every((c) => c.closedBy === 'client' && c.closeCode === 1006)).toBe(true);
});
