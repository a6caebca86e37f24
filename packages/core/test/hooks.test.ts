import { afterEach, describe, expect, it } from 'vitest';
import { createProxy, Stage, type CapturePlugin, type Exchange } from '../src/index.js';
import { collectExchanges, requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;

afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
});

describe('hooks and plugins', () => {
  it('runs taps by stage, whatever the order of plugins in the config', async () => {
    const order: string[] = [];
    const storage: CapturePlugin = {
      name: 'storage',
      apply(p) {
        p.hooks.onRequest.tapPromise({ name: 'storage', stage: Stage.STORAGE }, async () => void order.push('storage:request'));
        p.hooks.onExchange.tap({ name: 'storage', stage: Stage.STORAGE }, () => void order.push('storage:exchange'));
      },
    };
    const filter: CapturePlugin = {
      name: 'filter',
      apply(p) {
        p.hooks.onRequest.tapPromise({ name: 'filter', stage: Stage.FILTER }, async () => void order.push('filter:request'));
        p.hooks.onResponse.tap({ name: 'filter', stage: Stage.FILTER }, () => void order.push('filter:response'));
        p.hooks.onExchange.tap({ name: 'filter', stage: Stage.FILTER }, () => void order.push('filter:exchange'));
      },
    };
    origin = await startOrigin();
    proxy = await startProxy({ plugins: [storage, filter] });
    const exchanges = collectExchanges(proxy.proxy);
    await requestThroughProxy(proxy.port, `${origin.url}/`);
    await exchanges.next();
    expect(order).toEqual(['filter:request', 'storage:request', 'filter:response', 'filter:exchange', 'storage:exchange']);
  });

  it('lets a plugin answer a request itself without contacting any upstream', async () => {
    const mock: CapturePlugin = {
      name: 'mock',
      apply(p) {
        p.hooks.onRequest.tapPromise({ name: 'mock', stage: Stage.TRANSFORM }, async ({ outgoing }) =>
          outgoing.url.endsWith('/mocked')
            ? { statusCode: 201, headers: [['Content-Type', 'text/plain']], body: 'from the mock' }
            : undefined,
        );
      },
    };
    proxy = await startProxy({ plugins: [mock] });
    const exchanges = collectExchanges(proxy.proxy);
    const res = await requestThroughProxy(proxy.port, 'http://nowhere.invalid/mocked');
    expect(res.status).toBe(201);
    expect(res.text).toBe('from the mock');
    const exchange = await exchanges.next();
    expect(exchange.mocked).toBe(true);
    expect(exchange.response?.body?.bytes.toString()).toBe('from the mock');
  });

  it('lets a plugin rewrite the outgoing request while the capture keeps what the client sent', async () => {
    origin = await startOrigin();
    const rewrite: CapturePlugin = {
      name: 'rewrite',
      apply(p) {
        p.hooks.onRequest.tap('rewrite', ({ outgoing }) => {
          outgoing.headers.push(['X-Added', 'yes']);
          outgoing.url = outgoing.url.replace('/old', '/new');
          return undefined;
        });
      },
    };
    proxy = await startProxy({ plugins: [rewrite] });
    const exchanges = collectExchanges(proxy.proxy);
    const res = await requestThroughProxy(proxy.port, `${origin.url}/old`);
    const echo = JSON.parse(res.text) as { url: string; rawHeaders: string[] };
    expect(echo.url).toBe('/new');
    expect(echo.rawHeaders).toContain('X-Added');
    const exchange = await exchanges.next();
    expect(exchange.request.url).toBe(`${origin.url}/old`);
    expect(exchange.request.headers.some(([name]) => name === 'X-Added')).toBe(false);
  });

  it('sends exchanges marked skip to onSkipped instead of onExchange, and still forwards them', async () => {
    origin = await startOrigin();
    const stored: Exchange[] = [];
    const skipped: Exchange[] = [];
    const plugins: CapturePlugin[] = [
      {
        name: 'filter',
        apply(p) {
          p.hooks.onRequest.tap({ name: 'filter', stage: Stage.FILTER }, ({ exchange }) => {
            if (exchange.request.url.includes('/private')) exchange.skip = { reason: 'filtered: url', by: 'filter' };
            return undefined;
          });
        },
      },
      {
        name: 'storage',
        apply(p) {
          p.hooks.onExchange.tap('storage', (exchange) => void stored.push(exchange));
          p.hooks.onSkipped.tap('storage', (exchange) => void skipped.push(exchange));
        },
      },
    ];
    proxy = await startProxy({ plugins });
    const all = collectExchanges(proxy.proxy);
    expect((await requestThroughProxy(proxy.port, `${origin.url}/private`)).status).toBe(200);
    expect((await requestThroughProxy(proxy.port, `${origin.url}/public`)).status).toBe(200);
    await all.waitFor(2);
    expect(stored.map((exchange) => exchange.request.url)).toEqual([`${origin.url}/public`]);
    expect(skipped.map((exchange) => exchange.skip?.reason)).toEqual(['filtered: url']);
    expect(skipped[0]!.request.body).toBeUndefined();
  });

  it('names the plugin and the hook when a tap throws, and answers the client 502 with a generic body', async () => {
    origin = await startOrigin();
    const broken: CapturePlugin = {
      name: 'broken',
      apply(p) {
        p.hooks.onRequest.tapPromise('broken', async () => {
          throw new Error('boom');
        });
      },
    };
    proxy = await startProxy({ plugins: [broken] });
    const errors: string[] = [];
    proxy.proxy.hooks.onError.tap('test', (error) => void errors.push(error.message));
    const res = await requestThroughProxy(proxy.port, `${origin.url}/`);
    expect(res.status).toBe(502);
    // The device gets no internal text; the detail goes to onError.
    expect(res.text).toBe('capture: a plugin failed while handling this request\n');
    expect(errors).toEqual(['plugin "broken" failed in onRequest: boom']);
  });

  it('reports a failing storage tap through onError without disturbing the client', async () => {
    origin = await startOrigin();
    const errors: string[] = [];
    const failing: CapturePlugin = {
      name: 'failing-store',
      apply(p) {
        p.hooks.onExchange.tapPromise('failing-store', async () => {
          throw new Error('disk full');
        });
        p.hooks.onError.tap('test', (error) => void errors.push(error.message));
      },
    };
    proxy = await startProxy({ plugins: [failing] });
    const res = await requestThroughProxy(proxy.port, `${origin.url}/`);
    expect(res.status).toBe(200);
    await proxy.close();
    expect(errors).toEqual(['plugin "failing-store" failed in onExchange: disk full']);
  });

  it('collects start-banner lines from plugins in order, and names the plugin whose tap throws', async () => {
    const line = (name: string, text: string): CapturePlugin => ({ name, apply: (p) => void p.hooks.onBanner.tap(name, (lines) => [...lines, text]) });
    proxy = await startProxy({ plugins: [line('first', 'one'), line('second', 'two')] });
    expect(proxy.proxy.hooks.onBanner.call([])).toEqual(['one', 'two']);
    proxy.proxy.hooks.onBanner.tap('broken', () => {
      throw new Error('no banner');
    });
    proxy.proxy.hooks.onBanner.tap('after', (lines) => [...lines, 'three']);
    const errors: string[] = [];
    proxy.proxy.hooks.onError.tap('test', (error) => void errors.push(error.message));
    // A collector skips the failing tap (its lines are missing), names it, and keeps the others.
    expect(proxy.proxy.hooks.onBanner.call([])).toEqual(['one', 'two', 'three']);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/broken.*onBanner|onBanner.*broken/);
  });

  it('rejects invalid plugin lists with errors that name the plugin', async () => {
    await expect(createProxy({ plugins: [{ name: 'x' } as unknown as CapturePlugin] })).rejects.toThrow('plugin "x" (plugins[0]) has no apply(proxy) function');
    const a: CapturePlugin = { name: 'a', apply() {} };
    await expect(createProxy({ plugins: [a, a] })).rejects.toThrow('plugin "a" is listed twice');
    const needsHttps: CapturePlugin = { name: 'installer', dependencies: ['https'], apply() {} };
    await expect(createProxy({ plugins: [needsHttps] })).rejects.toThrow('plugin "installer" needs plugin "https"');
    const throwsInApply: CapturePlugin = {
      name: 'bad-apply',
      apply() {
        throw new Error('cannot open database');
      },
    };
    await expect(createProxy({ plugins: [throwsInApply] })).rejects.toThrow('plugin "bad-apply" failed in apply: cannot open database');
  });

  it('accepts nested plugin lists and falsy entries', async () => {
    const applied: string[] = [];
    const make = (name: string): CapturePlugin => ({ name, apply: () => void applied.push(name) });
    const created = await createProxy({ plugins: [make('a'), false, [make('b'), null, [make('c')]], undefined] });
    expect(applied).toEqual(['a', 'b', 'c']);
    expect(created.plugin('b')?.name).toBe('b');
    await created.close();
  });

  it('lets in-flight exchanges finish on close, then runs onClose after the last onExchange', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    origin = await startOrigin((_req, res) => {
      void released.then(() => res.end('late'));
    });
    const events: string[] = [];
    const recorder: CapturePlugin = {
      name: 'recorder',
      apply(p) {
        p.hooks.onExchange.tapPromise('recorder', async (exchange) => void events.push(`exchange ${exchange.response?.statusCode}`));
        p.hooks.onClose.tapPromise('recorder', async () => void events.push('close'));
      },
    };
    proxy = await startProxy({ plugins: [recorder] });
    const reachedOrigin = new Promise<void>((resolve) => origin!.server.once('request', () => resolve()));
    const pending = requestThroughProxy(proxy.port, `${origin.url}/slow`);
    await reachedOrigin;
    const closing = proxy.close();
    release();
    const res = await pending;
    await closing;
    expect(res.text).toBe('late');
    expect(events).toEqual(['exchange 200', 'close']);
  });
});
