import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it, vi } from 'vitest';
import { WebSocketServer } from 'ws';

/**
 * 1,000 idle WebSocket connections through a real capture proxy, the proxy in a process of its
 * own (`fixtures/proxy-process.mjs`) so what is measured is the proxy alone: its RSS and heap
 * growth per connection, and its CPU while every connection sits idle.
 */

const COUNT = 1000;
const WARM_UP = 20;

let child: ChildProcess | undefined;
let origin: http.Server | undefined;
let wss: WebSocketServer | undefined;
const clients: Socket[] = [];

afterEach(async () => {
  for (const socket of clients.splice(0)) socket.destroy();
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
  origin?.closeAllConnections();
  if (origin) await new Promise((resolve) => origin!.close(resolve));
  if (child && child.exitCode === null) {
    const exited = once(child, 'exit');
    if (child.connected) child.send({ type: 'close' });
    else child.kill();
    await exited;
  }
  child = origin = wss = undefined;
});

interface Reply {
  type: string;
  port?: number;
  rss?: number;
  heapUsed?: number;
  cpu?: NodeJS.CpuUsage;
  completed?: number;
}

/** Sends a request to the proxy process and resolves with its reply of the same type. */
function ask(type: string): Promise<Reply> {
  return new Promise((resolve) => {
    const onMessage = (reply: Reply) => {
      if (reply.type !== type) return;
      child!.off('message', onMessage);
      resolve(reply);
    };
    child!.on('message', onMessage);
    child!.send({ type });
  });
}

/** Opens one WebSocket connection through the proxy (absolute-form upgrade) and resolves once it got its 101. */
async function openIdle(proxyPort: number, originPort: number): Promise<Socket> {
  const socket = net.connect(proxyPort, '127.0.0.1');
  clients.push(socket);
  socket.on('error', () => undefined);
  await once(socket, 'connect');
  socket.write(
    `GET http://127.0.0.1:${originPort}/idle HTTP/1.1\r\nHost: 127.0.0.1:${originPort}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  let head = '';
  while (!head.includes('\r\n\r\n')) head += String(((await once(socket, 'data')) as [Buffer])[0]);
  expect(head).toMatch(/^HTTP\/1\.1 101 /);
  return socket;
}

/**
 * The proxy process's CPU time (user + system, ms) over an idle window of `ms`: a measurement
 * window, nothing waits on it.
 */
async function idleCpu(ms: number): Promise<number> {
  const start = (await ask('cpu')).cpu!;
  await new Promise((resolve) => setTimeout(resolve, ms));
  const end = (await ask('cpu')).cpu!;
  return (end.user - start.user + end.system - start.system) / 1000;
}

/** Opens `count` connections, `concurrency` at a time. */
async function openMany(count: number, proxyPort: number, originPort: number, concurrency = 25): Promise<void> {
  let left = count;
  const worker = async () => {
    while (left-- > 0) await openIdle(proxyPort, originPort);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

it(`holds ${COUNT.toLocaleString('en')} idle WebSocket connections through the proxy in bounded memory and no CPU`, async () => {
  origin = http.createServer();
  wss = new WebSocketServer({ server: origin, perMessageDeflate: false });
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
  const originPort = (origin.address() as AddressInfo).port;
  child = fork(fileURLToPath(new URL('fixtures/proxy-process.mjs', import.meta.url)), [], { execArgv: ['--expose-gc'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [ready] = (await once(child, 'message')) as [Reply];
  const proxyPort = ready.port!;

  await openMany(WARM_UP, proxyPort, originPort);
  // The same idle window with only the warm-up connections: what the proxy costs idle anyway.
  const before = await ask('measure');
  const baselineCpu = await idleCpu(1000);
  await openMany(COUNT - WARM_UP, proxyPort, originPort);
  await vi.waitFor(() => expect(wss!.clients.size).toBe(COUNT), { timeout: 30_000 });
  const after = await ask('measure');
  const rssPer = (after.rss! - before.rss!) / (COUNT - WARM_UP);
  const heapPer = (after.heapUsed! - before.heapUsed!) / (COUNT - WARM_UP);

  const cpuMs = await idleCpu(3000);
  console.log(
    `proxy process, ${COUNT} idle WebSocket connections: ${(rssPer / 1024).toFixed(1)} KiB RSS and ` +
      `${(heapPer / 1024).toFixed(1)} KiB heap per connection; ${cpuMs.toFixed(1)} ms CPU in 3 s idle ` +
      `(${baselineCpu.toFixed(1)} ms in 1 s with ${WARM_UP} connections)`,
  );
  // Generous bounds for a shared CI machine; see the log line for the measured values.
  expect(rssPer).toBeLessThan(128 * 1024);
  expect(heapPer).toBeLessThan(32 * 1024);
  expect(cpuMs).toBeLessThan(150);

  // Every connection still completes as an exchange when its client goes.
  for (const socket of clients.splice(0)) socket.destroy();
  await vi.waitFor(async () => expect((await ask('completed')).completed).toBe(COUNT), { timeout: 30_000, interval: 200 });
});
