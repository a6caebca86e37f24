import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
const sockets: net.Socket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
});

/** Opens a TCP connection that never sends a byte; resolves once connected. */
function silentSocket(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
    sockets.push(socket);
  });
}

/** Resolves with what the proxy sent before it closed the socket. */
function closed(socket: net.Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  return new Promise((resolve) => socket.once('close', () => resolve(Buffer.concat(chunks).toString('latin1'))));
}

/** Rejects when `promise` takes longer than `ms`: the bound a test promises, not a synchronisation. */
function within<T>(ms: number, promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} not within ${ms} ms`)), ms)));
  return Promise.race([promise, bound]).finally(() => clearTimeout(timer));
}

describe('connection limits', () => {
  it('closes 500 sockets that never send a byte once headersTimeout passed, while other clients are served', async () => {
    origin = await startOrigin();
    proxy = await startProxy({ headersTimeout: 300, maxConnectionsPerClient: 1000 });
    // A keep-alive client kept busy meanwhile: with it, Node's own headers timer misses silent sockets.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    await requestThroughProxy(proxy.port, `${origin.url}/warm`, { agent });
    const allClosed = Promise.all(
      Array.from({ length: 500 }, () => {
        const socket = net.connect(proxy!.port, '127.0.0.1');
        sockets.push(socket);
        return closed(socket);
      }),
    );
    let done = false;
    void allClosed.finally(() => (done = true));
    const traffic = (async () => {
      while (!done) await requestThroughProxy(proxy!.port, `${origin!.url}/busy`, { agent });
    })();
    try {
      const outcomes = await within(20_000, allClosed, 'closing 500 silent sockets');
      expect(outcomes).toHaveLength(500);
      expect(outcomes.every((text) => !text.includes(' 503 '))).toBe(true);
    } finally {
      done = true;
      await traffic;
      agent.destroy();
    }
  });

  it('answers 503 to connections beyond maxConnectionsPerClient, and serves again once one closes', async () => {
    origin = await startOrigin();
    proxy = await startProxy({ maxConnectionsPerClient: 3 });
    const held = await Promise.all([1, 2, 3].map(() => silentSocket(proxy!.port)));
    await vi.waitFor(() => expect(proxy!.proxy.openConnections).toBe(3));
    const extra = await silentSocket(proxy.port);
    const answer = await within(5_000, closed(extra), 'the 503');
    expect(answer).toMatch(/^HTTP\/1\.1 503 /);
    expect(answer).toContain('maxConnectionsPerClient');
    held[0]!.destroy();
    await vi.waitFor(() => expect(proxy!.proxy.openConnections).toBe(2));
    const served = await requestThroughProxy(proxy.port, `${origin.url}/after`);
    expect(served.status).toBe(200);
  });

  it('never forwards a request sent on a connection over the cap', async () => {
    let reached = 0;
    origin = await startOrigin((_req, res) => {
      reached++;
      res.end('ok');
    });
    proxy = await startProxy({ maxConnectionsPerClient: 1 });
    await silentSocket(proxy.port);
    await vi.waitFor(() => expect(proxy!.proxy.openConnections).toBe(1));
    const extra = net.connect(proxy.port, '127.0.0.1');
    sockets.push(extra);
    extra.write(`GET ${origin.url}/over HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    expect(await within(5_000, closed(extra), 'the 503')).toMatch(/^HTTP\/1\.1 503 /);
    expect(reached).toBe(0);
  });
});
