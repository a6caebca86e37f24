import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import type { Exchange } from '@capture/core';
import { nextExchange, requestThroughProxy, type TestOrigin } from '@capture/core/testing';
import type { ListResponse } from '../src/index.js';
import { api, startTestOrigin, startView, type ViewSetup } from './helpers/view.js';

const FLOOD = 100_000;
const KEEP = 2000;

let setup: ViewSetup | undefined;
let origin: TestOrigin | undefined;
let stalled: net.Socket | undefined;
afterEach(async () => {
  stalled?.destroy();
  await setup?.close();
  await origin?.close();
  stalled = undefined;
  setup = undefined;
  origin = undefined;
});

/** An event stream opened by a page that never reads it (a stalled browser tab): its socket only fills. */
function openStalledStream(view: ViewSetup): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(view.port, '127.0.0.1');
    socket.on('error', reject);
    socket.on('connect', () => {
      socket.write(`GET /api/events?q= HTTP/1.1\r\nHost: 127.0.0.1:${view.port}\r\nAuthorization: Bearer ${view.token}\r\n\r\n`);
      // The first bytes (the head) say the stream is open; from then on nothing is read.
      socket.once('data', (head: Buffer) => {
        socket.pause();
        socket.unshift(head);
        resolve(socket);
      });
    });
  });
}

/** Reads what the stalled socket holds until `until` appears in it, returning the byte count. */
function drainUntil(socket: net.Socket, until: string): Promise<{ bytes: number; text: string }> {
  return new Promise((resolve, reject) => {
    let bytes = 0;
    let tail = '';
    const timer = setTimeout(() => reject(new Error(`no ${JSON.stringify(until)} after ${bytes} bytes`)), 60_000);
    socket.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      tail = (tail + chunk.toString('utf8')).slice(-200_000);
      if (tail.includes(until)) {
        clearTimeout(timer);
        socket.pause();
        resolve({ bytes, text: tail });
      }
    });
    socket.resume();
  });
}

/** The heap in use after a full collection, so what is measured is what is kept, not garbage. */
function heapKept(): number {
  v8.setFlagsFromString('--expose-gc');
  (vm.runInNewContext('gc') as () => void)();
  return process.memoryUsage().heapUsed;
}

const timed = async <T>(run: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const start = performance.now();
  const value = await run();
  return { value, ms: performance.now() - start };
};

describe('the web view under a flood', () => {
  it('keeps a stalled page bounded (told to reload) and answers searches quickly through 100,000 exchanges', async () => {
    origin = await startTestOrigin();
    setup = await startView({ plugins: [], web: { keepInMemory: KEEP } });
    const next = nextExchange(setup.proxy.proxy);
    await requestThroughProxy(setup.proxy.port, `${origin.url}/json?page=1`);
    const template: Exchange = await next;
    stalled = await openStalledStream(setup);

    const heapBefore = heapKept();
    const searchTimes: number[] = [];
    // As a proxy delivers them: a thousand per turn of the event loop, the view's searches in between.
    for (let sent = 0; sent < FLOOD; ) {
      for (const end = sent + 1000; sent < end; sent++) {
        const url = `${origin.url}/flood/${sent}?k=${sent % 97}`;
        await setup.proxy.proxy.hooks.onExchange.promise({ ...template, id: 1_000_000 + sent, timings: { ...template.timings, startedAt: template.timings.startedAt + sent }, request: { ...template.request, url } });
      }
      if (sent % 20_000 === 0) {
        const { value, ms } = await timed(() => api(setup!, `/api/exchanges?q=${encodeURIComponent('flood k=13')}`));
        expect(value.status).toBe(200);
        searchTimes.push(ms);
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    const heapGrowth = heapKept() - heapBefore;

    // The list holds what `keepInMemory` allows, newest first, and a search over it answers quickly.
    const { value: listed, ms: listMs } = await timed(async () => (await api(setup!, '/api/exchanges?q=')).json<ListResponse>());
    expect(listed.exchanges.length).toBeGreaterThan(0);
    expect(listed.exchanges.length).toBeLessThanOrEqual(KEEP);
    expect(listed.exchanges[0]!.url).toContain(`/flood/${FLOOD - 1}?`);
    const { value: found, ms: searchMs } = await timed(async () => (await api(setup!, `/api/exchanges?q=${encodeURIComponent(`/flood/${FLOOD - 5}?`)}`)).json<ListResponse>());
    expect(found.exchanges.map((row) => row.url)).toEqual([`${origin.url}/flood/${FLOOD - 5}?k=${(FLOOD - 5) % 97}`]);
    // A bound on the order of magnitude (a search that read every row, or waited on the flood,
    // takes seconds): the 200 ms goal itself is measured by `pnpm bench:long`, not here, where the
    // suites share the machine with each other (239 ms was seen under CI's load).
    for (const ms of [...searchTimes, listMs, searchMs]) expect(ms).toBeLessThan(1_000);

    // The stalled page was not buffered for: once it reads, it finds a `reset` (reload) after
    // a bounded backlog, far less than the ~30 MB that 100,000 rows would take.
    const drained = await drainUntil(stalled, 'event: reset');
    expect(drained.bytes).toBeLessThan(16 * 1024 * 1024);
    // The server's memory stays bounded by keepInMemory, not by the flood (100,000 retained entries would be hundreds of MB).
    expect(heapGrowth).toBeLessThan(32 * 1024 * 1024);
    console.log(`flood: ${FLOOD} exchanges; stalled page backlog ${(drained.bytes / 1024 / 1024).toFixed(1)} MiB; heap growth ${(heapGrowth / 1024 / 1024).toFixed(0)} MiB; searches ${[...searchTimes, listMs, searchMs].map((ms) => ms.toFixed(0)).join('/')} ms`);
  }, 180_000);
});
