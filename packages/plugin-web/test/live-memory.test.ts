import v8 from 'node:v8';
import vm from 'node:vm';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestThroughProxy, type TestOrigin } from '@capture/core/testing';
import { Stage, type CapturePlugin } from '@capture/core';
import history from '@capture/plugin-history';
import type { ExchangeDetail, ListResponse } from '../src/index.js';
import { api, startTestOrigin, startView, type ViewSetup } from './helpers/view.js';

let setup: ViewSetup | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await setup?.close();
  await origin?.close();
  setup = undefined;
  origin = undefined;
});

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

/** 2 MiB of text the test origin echoes back. */
const BIG = 'large body line\n'.repeat(128 * 1024);

/** A plugin that remembers, weakly, the response body bytes of every captured exchange. */
function bodyWatcher(refs: Array<WeakRef<Uint8Array>>): CapturePlugin {
  return {
    name: 'body-watcher',
    apply(proxy) {
      proxy.hooks.onExchange.tap({ name: 'body-watcher', stage: Stage.OBSERVE }, (exchange) => {
        if (exchange.response?.body) refs.push(new WeakRef(exchange.response.body.bytes));
      });
    },
  };
}

const list = async () => (await api(setup!, '/api/exchanges')).json<ListResponse>().exchanges;

describe('the live store while history is running', () => {
  it('lists a large exchange at once, opens it with its full body from history, and does not hold the body', async () => {
    const refs: Array<WeakRef<Uint8Array>> = [];
    // History writes only when asked (a second apart, big batches): the view must flush it.
    setup = await startView({ plugins: [bodyWatcher(refs), history({ flushInterval: 1000, batchSize: 10_000 })] });
    origin = await startTestOrigin();
    const response = await requestThroughProxy(setup.proxy.port, `${origin.url}/echo-big`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: BIG });
    expect(response.body.length).toBe(BIG.length);
    const rows = await list();
    const row = rows.find((candidate) => candidate.path === '/echo-big');
    expect(row).toMatchObject({ method: 'POST', status: 200, size: BIG.length });
    const detail = (await api(setup, `/api/exchanges/${row!.id}`)).json<ExchangeDetail>();
    expect(detail.response?.body).toMatchObject({ kind: 'text', size: BIG.length });
    expect(detail.request.body).toMatchObject({ size: BIG.length });
    // Nothing in the proxy keeps the captured body once history has written it.
    expect(refs).toHaveLength(1);
    await vi.waitFor(async () => {
      gc();
      await nextTurn();
      expect(refs[0]!.deref()).toBeUndefined();
    }, { timeout: 15_000, interval: 50 });
  });

  it('opens a live row (x id) that history has not written yet, in full', async () => {
    setup = await startView({ plugins: [history({ flushInterval: 1000, batchSize: 10_000 })] });
    origin = await startTestOrigin();
    const stream = await import('./helpers/view.js').then(({ openEvents }) => openEvents(setup!));
    try {
      await requestThroughProxy(setup.proxy.port, `${origin.url}/echo-live`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: BIG });
      const event = await stream.next((candidate) => candidate.type === 'exchanges');
      const [row] = event.data as Array<{ id: string; size: number | null }>;
      expect(row!.id).toMatch(/^x\d+$/);
      const detail = (await api(setup, `/api/exchanges/${row!.id}`)).json<ExchangeDetail>();
      expect(detail.response?.body).toMatchObject({ kind: 'text', size: BIG.length });
    } finally {
      stream.close();
    }
  });
});

describe('the live store without history', () => {
  it('is the only copy: keeps the exchange whole, body included', async () => {
    setup = await startView({ plugins: [] });
    origin = await startTestOrigin();
    await requestThroughProxy(setup.proxy.port, `${origin.url}/echo-alone`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: BIG });
    const row = (await list()).find((candidate) => candidate.path === '/echo-alone');
    expect(row!.id).toMatch(/^x\d+$/);
    const detail = (await api(setup, `/api/exchanges/${row!.id}`)).json<ExchangeDetail>();
    expect(detail.response?.body).toMatchObject({ kind: 'text', size: BIG.length });
  });

  it('keeps its own copy of a large request body that history, saving requests only, takes once written', async () => {
    const requestBodies: Array<{ id: number; bytes: Uint8Array }> = [];
    const watcher: CapturePlugin = {
      name: 'request-watcher',
      apply(proxy) {
        proxy.hooks.onExchange.tap({ name: 'request-watcher', stage: Stage.LAST }, (exchange) => {
          if (exchange.request.body) requestBodies.push({ id: exchange.id, bytes: exchange.request.body.bytes });
        });
      },
    };
    const plugin = history({ saveResponses: false, flushInterval: 10 });
    setup = await startView({ plugins: [plugin, watcher] });
    origin = await startTestOrigin();
    // History's writer thread starts with its first batches; once it runs, it takes the upload's memory.
    let attempts = 0;
    do {
      await requestThroughProxy(setup.proxy.port, `${origin.url}/echo-upload`, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: BIG });
      await plugin.api!.flush();
    } while (requestBodies.at(-1)!.bytes.byteLength !== 0 && ++attempts < 20);
    const taken = requestBodies.at(-1)!;
    expect(taken.bytes.byteLength).toBe(0);
    // The live row (what the page's event stream announces) is kept whole: history has no response.
    const detail = (await api(setup, `/api/exchanges/x${taken.id}`)).json<ExchangeDetail>();
    expect(detail.request.body).toMatchObject({ size: BIG.length, captured: BIG.length });
    expect(detail.response?.body).toMatchObject({ kind: 'text', captured: BIG.length });
  });
});
