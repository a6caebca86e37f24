import { existsSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { CaptureError, CORE_VERSION, createProxy, PluginError, Stage, type CapturePlugin, type Exchange } from '../src/index.js';
import { collectExchanges, requestThroughProxy, sendRawRequest, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
let blocker: net.Server | undefined;

afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
  proxy = undefined;
  origin = undefined;
  blocker = undefined;
});

/** A plugin that records the exchanges it sees in `onExchange`. */
function sink(name: string, seen: Exchange[], stage: number = Stage.STORAGE): CapturePlugin {
  return { name, apply: (p) => void p.hooks.onExchange.tapPromise({ name, stage }, async (exchange) => void seen.push(exchange)) };
}

describe('one bad plugin', () => {
  it('a throwing onExchange tap leaves the exchange to every later tap and is reported with plugin and hook', async () => {
    origin = await startOrigin();
    const history: Exchange[] = [];
    const live: Exchange[] = [];
    const broken: CapturePlugin = {
      name: 'broken-sink',
      apply(p) {
        p.hooks.onExchange.tap({ name: 'broken-sink', stage: Stage.TRANSFORM }, () => {
          throw new Error('cannot serialise');
        });
      },
    };
    proxy = await startProxy({ plugins: [broken, sink('history', history), sink('live', live, Stage.OBSERVE)] });
    const errors: PluginError[] = [];
    proxy.proxy.hooks.onError.tap('test', (error) => void (error instanceof PluginError && errors.push(error)));
    const all = collectExchanges(proxy.proxy);
    expect((await requestThroughProxy(proxy.port, `${origin.url}/kept`)).status).toBe(200);
    await all.next();
    expect(history.map((exchange) => exchange.request.url)).toEqual([`${origin.url}/kept`]);
    expect(live).toHaveLength(1);
    expect(errors.map(({ plugin, hook, message }) => ({ plugin, hook, message }))).toEqual([
      { plugin: 'broken-sink', hook: 'onExchange', message: 'plugin "broken-sink" failed in onExchange: cannot serialise' },
    ]);
  });

  it('a throwing onClose tap does not keep the others from closing', async () => {
    const events: string[] = [];
    const plugin: CapturePlugin = {
      name: 'noisy',
      apply(p) {
        p.hooks.onClose.tapPromise('noisy', async () => {
          throw new Error('flush failed');
        });
        p.hooks.onClose.tap('quiet', () => void events.push('quiet closed'));
      },
    };
    const created = await createProxy({ plugins: [plugin] });
    created.hooks.onError.tap('test', (error) => void events.push(error.message));
    await created.close();
    expect(events.sort()).toEqual(['plugin "noisy" failed in onClose: flush failed', 'quiet closed']);
  });

  it('closes by stage: storage has flushed before observers close, whatever the plugin order', async () => {
    const closed: string[] = [];
    const observer: CapturePlugin = { name: 'web', apply: (p) => void p.hooks.onClose.tap({ name: 'web', stage: Stage.OBSERVE }, () => void closed.push('web')) };
    const storage: CapturePlugin = {
      name: 'history',
      apply: (p) =>
        void p.hooks.onClose.tapPromise({ name: 'history', stage: Stage.STORAGE }, async () => {
          await new Promise<void>((resolve) => setImmediate(resolve));
          closed.push('history');
        }),
    };
    const created = await createProxy({ plugins: [observer, storage] });
    await created.close();
    expect(closed).toEqual(['history', 'web']);
  });

  it('an error thrown in apply names the plugin and keeps its code', async () => {
    const failing: CapturePlugin = {
      name: 'store',
      apply() {
        throw new CaptureError('STORE_DAMAGED', 'store.db is damaged');
      },
    };
    const error = await createProxy({ plugins: [failing] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(PluginError);
    expect(error).toMatchObject({ plugin: 'store', hook: 'apply', code: 'STORE_DAMAGED', pluginCode: 'STORE_DAMAGED', message: 'store: store.db is damaged' });
  });

  it('refuses a plugin built for another core at use(), naming both versions in one line', async () => {
    const future: CapturePlugin = { name: 'future', core: '^99.0.0', apply() {} };
    const created = await createProxy();
    const error = await created.use([future]).catch((caught: unknown) => caught);
    await created.close();
    expect(error).toMatchObject({ code: 'PLUGIN_CORE_MISMATCH' });
    const message = (error as Error).message;
    expect(message).toContain('^99.0.0');
    expect(message).toContain(CORE_VERSION);
    expect(message).toContain('"future"');
    expect(message).not.toContain('\n');
  });

  it('a failed start closes the plugins applied so far, last first, so nothing keeps the process alive', async () => {
    const closed: string[] = [];
    let timer: NodeJS.Timeout | undefined;
    const writer: CapturePlugin = {
      name: 'writer',
      apply(p) {
        // A resource that would keep the process alive (history's writer thread, a flush timer).
        timer = setInterval(() => undefined, 60_000);
        p.hooks.onClose.tapPromise('writer', async () => {
          clearInterval(timer);
          timer = undefined;
          closed.push('writer');
        });
      },
    };
    const observer: CapturePlugin = { name: 'observer', apply: (p) => void p.hooks.onClose.tap('observer', () => void closed.push('observer')) };
    const thrower: CapturePlugin = {
      name: 'thrower',
      apply() {
        throw new Error('bad config');
      },
    };
    await expect(createProxy({ plugins: [writer, observer, thrower] })).rejects.toThrow('plugin "thrower" failed in apply: bad config');
    expect(closed).toEqual(['observer', 'writer']);
    expect(timer).toBeUndefined();
  });

  it('a failed listen() closes the plugins too', async () => {
    blocker = net.createServer();
    await new Promise<void>((resolve) => blocker!.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const closed: string[] = [];
    const plugin: CapturePlugin = { name: 'writer', apply: (p) => void p.hooks.onClose.tap('writer', () => void closed.push('writer')) };
    const created = await createProxy({ host: '127.0.0.1', port, plugins: [plugin] });
    await expect(created.listen()).rejects.toMatchObject({ code: 'PORT_IN_USE' });
    expect(closed).toEqual(['writer']);
  });

  it('a throwing onResponse tap answers 502 with a generic body; the detail goes to onError', async () => {
    origin = await startOrigin();
    const broken: CapturePlugin = {
      name: 'rewriter',
      apply: (p) =>
        void p.hooks.onResponse.tap('rewriter', () => {
          throw new Error('secret internal path /srv/x');
        }),
    };
    proxy = await startProxy({ plugins: [broken] });
    const errors: string[] = [];
    proxy.proxy.hooks.onError.tap('test', (error) => void errors.push(error.message));
    const all = collectExchanges(proxy.proxy);
    const res = await requestThroughProxy(proxy.port, `${origin.url}/`);
    expect(res.status).toBe(502);
    expect(res.text).toBe('capture: a plugin failed while handling this request\n');
    expect(errors).toEqual(['plugin "rewriter" failed in onResponse: secret internal path /srv/x']);
    expect((await all.next()).error).toMatchObject({ code: 'PLUGIN_ERROR' });
  });
});

describe('ConnectContext.refuse', () => {
  it('answers the status and message, closes, and shows the refusal as a skipped CONNECT exchange', async () => {
    const stored: Exchange[] = [];
    const guard: CapturePlugin = {
      name: 'guard',
      apply(p) {
        p.hooks.onConnect.tapPromise({ name: 'guard', stage: Stage.FIRST }, async (context) => {
          if (context.hostname !== 'blocked.test') return undefined;
          context.refuse(403, 'this host is blocked');
          return true;
        });
      },
    };
    proxy = await startProxy({ plugins: [guard, sink('history', stored)] });
    const all = collectExchanges(proxy.proxy);
    const raw = await sendRawRequest(proxy.port, 'CONNECT blocked.test:443 HTTP/1.1\r\nHost: blocked.test:443\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(raw).toContain('Connection: close');
    expect(raw.endsWith('\r\n\r\ncapture: this host is blocked\n')).toBe(true);
    const exchange = await all.next();
    expect(exchange).toMatchObject({
      request: { method: 'CONNECT', url: 'blocked.test:443' },
      response: { statusCode: 403 },
      skip: { reason: 'refused: this host is blocked', by: 'guard' },
    });
    expect(stored).toEqual([]);
  });
});

describe('the test kit', () => {
  it('startProxy without dataDir uses a fresh temporary folder and removes it on close', async () => {
    const started = await startProxy();
    const dataDir = started.proxy.dataDir;
    expect(dataDir.startsWith(os.tmpdir())).toBe(true);
    expect(existsSync(dataDir)).toBe(true);
    await started.close();
    expect(existsSync(dataDir)).toBe(false);
  });
});
