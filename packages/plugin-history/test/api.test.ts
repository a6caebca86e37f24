import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import type { Har } from 'har-format';
import history from '../src/index.js';
import { compileHarSchema } from './helpers/har.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

// The API other plugins (the web view) use: whole exchanges, exports and clear, while capturing.

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
  cleanupAll();
});

describe('history API', () => {
  it('reads whole exchanges, renders HAR and curl, and clears history while the proxy runs', async () => {
    origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"ok":true}');
    });
    const plugin = history({ flushInterval: 10 });
    proxy = await startProxy({ dataDir: tempDir(), plugins: [plugin] });
    const api = plugin.api!;
    await requestThroughProxy(proxy.port, `${origin.url}/one`);
    await requestThroughProxy(proxy.port, `${origin.url}/two`, { method: 'POST', body: 'x=1', headers: { 'Content-Type': 'application/x-www-form-urlencoded' } });
    await vi.waitFor(() => expect(api.list()).toHaveLength(2));

    expect(api.list()[0]).toMatchObject({ method: 'POST', status: 200, contentType: 'application/json', bodySkipped: null, truncated: false, tls: false, mocked: false });
    const exchanges = api.exchanges();
    expect(exchanges.map((exchange) => new URL(exchange.request.url).pathname)).toEqual(['/one', '/two']);
    expect(exchanges[1]!.request.body?.bytes.toString()).toBe('x=1');

    const har = JSON.parse(api.render('har', exchanges)) as Har;
    const validate = compileHarSchema();
    expect(validate(har), JSON.stringify(validate.errors)).toBe(true);
    expect(har.log.entries.map((entry) => entry.request.method)).toEqual(['GET', 'POST']);
    expect(api.render('curl', [exchanges[1]!])).toMatch(/^curl .*--data-raw 'x=1'/);
    expect(JSON.parse(api.render('postman', exchanges, 'Picked')).info.name).toBe('Picked');

    expect(api.clear()).toBe(2);
    expect(api.list()).toEqual([]);
  });
});
