import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { hostOf, type CommandSpec, type Exchange } from '@capture/core';
import { collectExchanges, requestThroughProxy, type TestOrigin } from '@capture/core/testing';
import history from '@capture/plugin-history';
import { formatBytes } from '../app/format.js';
import type { ListResponse } from '../src/protocol.js';
import { fromLiveExchange, summaryOf } from '../src/view-model.js';
import { api, startTestOrigin, startView, type ViewSetup } from './helpers/view.js';

// One exchange reads the same in the web view (live and from history) as in `capture history
// list`: core's hostOf and formatBytes are the only definitions. They once differed
// ("12 kB" against "12.3 kB", `example.com:80` against `example.com`).

let setup: ViewSetup | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await setup?.close();
  await origin?.close();
  setup = undefined;
  origin = undefined;
});

/** Runs `capture history list` of a history plugin in this process and returns what it printed. */
async function historyList(commands: readonly CommandSpec[], dataDir: string): Promise<string> {
  const list = commands.find((command) => command.name === 'history')!.subcommands!.find((command) => command.name === 'list')!;
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await list.run!({ args: [], options: {}, context: { dataDir, stdout, stderr: new PassThrough(), isTTY: false, interactive: false, confirm: async () => false } });
  return out;
}

describe('the same exchange, the same strings', () => {
  it('gives the same host and size in the view (live and stored) as in capture history list', async () => {
    const store = history({ flushInterval: 1000 });
    setup = await startView({ plugins: [store] });
    origin = await startTestOrigin();
    const exchanges = collectExchanges(setup.proxy.proxy);
    // The origin echoes the body: a 12,345-byte response, to a host written in mixed case.
    const url = `http://LocalHost:${origin.port}/echo`;
    const response = await requestThroughProxy(setup.proxy.port, url, { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: 'x'.repeat(12_345) });
    expect(response.body).toHaveLength(12_345);
    const [exchange] = (await exchanges.waitFor(1)) as [Exchange];
    await store.api!.flush();

    const host = `localhost:${origin.port}`;
    expect(hostOf(url)).toBe(host);
    const live = summaryOf(fromLiveExchange(exchange));
    const [stored] = (await api(setup, '/api/exchanges')).json<ListResponse>().exchanges;
    expect(stored).toMatchObject({ id: 'h1', host, size: 12_345 });
    expect(live).toMatchObject({ host, size: 12_345 });
    expect(formatBytes(stored!.size)).toBe('12.3 kB');
    expect(formatBytes(live.size)).toBe('12.3 kB');

    const printed = await historyList(store.commands!, setup.dataDir);
    const row = printed.split('\n').find((line) => line.includes('/echo'))!;
    expect(row.split(/\s{2,}/)).toEqual(expect.arrayContaining([host, '12.3 kB']));
  });
});
