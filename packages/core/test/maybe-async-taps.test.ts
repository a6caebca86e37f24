import { afterEach, describe, expect, it } from 'vitest';
import { Stage, type CaptureError, type CapturePlugin, type Exchange } from '../src/index.js';
import { collectExchanges, requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';
import { gate } from './helpers/gate.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;

afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
});

describe('the per-exchange hooks (core series runner)', () => {
  it('waits for a promise a sync tap returns before later stages, and not for taps that return undefined', async () => {
    const order: string[] = [];
    const slow = gate();
    const reached = gate();
    const transform: CapturePlugin = {
      name: 'transform',
      apply(p) {
        // Maybe-async: only /slow gets a promise; storage must still see what it wrote.
        p.hooks.onExchange.tap({ name: 'transform', stage: Stage.TRANSFORM }, (exchange) => {
          order.push(`transform:${exchange.request.url.split('/').pop()}`);
          if (!exchange.request.url.endsWith('/slow')) return undefined;
          reached.open();
          return slow.promise.then(() => {
            exchange.meta.transform = 'done';
          });
        });
        p.hooks.onExchange.tap({ name: 'storage', stage: Stage.STORAGE }, (exchange) => {
          order.push(`storage:${exchange.request.url.split('/').pop()}:${String(exchange.meta.transform ?? '-')}`);
        });
      },
    };
    origin = await startOrigin();
    proxy = await startProxy({ plugins: [transform] });
    const exchanges = collectExchanges(proxy.proxy);
    await requestThroughProxy(proxy.port, `${origin.url}/fast`);
    const fast = await exchanges.next();
    expect(fast.meta.transform).toBeUndefined();
    await requestThroughProxy(proxy.port, `${origin.url}/slow`);
    await reached.promise;
    // The client got its answer; storage has not run for /slow yet because the transform waits.
    expect(order).toEqual(['transform:fast', 'storage:fast:-', 'transform:slow']);
    slow.open();
    const slowExchange = await exchanges.next();
    expect(slowExchange.meta.transform).toBe('done');
    expect(order).toEqual(['transform:fast', 'storage:fast:-', 'transform:slow', 'storage:slow:done']);
  });

  it('reports a rejected promise of a sync onExchange tap as that plugin failing, and later taps still run', async () => {
    const errors: CaptureError[] = [];
    const failing: CapturePlugin = {
      name: 'failing',
      apply(p) {
        p.hooks.onError.tap('test', (error) => void errors.push(error));
        p.hooks.onExchange.tap({ name: 'failing', stage: Stage.TRANSFORM }, () => Promise.reject(new Error('decode broke')));
      },
    };
    origin = await startOrigin();
    proxy = await startProxy({ plugins: [failing] });
    const exchanges = collectExchanges(proxy.proxy);
    const res = await requestThroughProxy(proxy.port, `${origin.url}/`);
    expect(res.status).toBe(200);
    const exchange: Exchange = await exchanges.next();
    expect(exchange.response?.statusCode).toBe(200);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ plugin: 'failing', hook: 'onExchange', message: 'plugin "failing" failed in onExchange: decode broke' });
  });

  it('answers 502 when a sync onResponse tap throws or its promise rejects, and applies sync rewrites', async () => {
    const rewriting: CapturePlugin = {
      name: 'rewriting',
      apply(p) {
        p.hooks.onResponse.tap({ name: 'rewriting', stage: Stage.TRANSFORM }, ({ exchange, outgoing }) => {
          if (exchange.request.url.endsWith('/throw')) throw new Error('sync failure');
          if (exchange.request.url.endsWith('/reject')) return Promise.reject(new Error('async failure'));
          outgoing.headers.push(['x-rewritten', 'yes']);
          return undefined;
        });
      },
    };
    origin = await startOrigin();
    proxy = await startProxy({ plugins: [rewriting] });
    const ok = await requestThroughProxy(proxy.port, `${origin.url}/ok`);
    expect(ok.status).toBe(200);
    expect(ok.headers['x-rewritten']).toBe('yes');
    expect((await requestThroughProxy(proxy.port, `${origin.url}/throw`)).status).toBe(502);
    expect((await requestThroughProxy(proxy.port, `${origin.url}/reject`)).status).toBe(502);
  });

  it('bails onRequest on the first result of a sync tap, and hook.promise() follows the same rules', async () => {
    const later: string[] = [];
    const mock: CapturePlugin = {
      name: 'mock',
      apply(p) {
        // Maybe-async: /waited is answered after a turn of the event loop, the rest at once.
        p.hooks.onRequest.tap({ name: 'mock', stage: Stage.TRANSFORM }, ({ outgoing }) =>
          outgoing.url.endsWith('/waited') ? new Promise((resolve) => setImmediate(() => resolve({ statusCode: 203, body: 'waited' }))) : { statusCode: 202, body: 'mocked' },
        );
        p.hooks.onRequest.tap({ name: 'later', stage: Stage.STORAGE }, () => void later.push('ran'));
      },
    };
    proxy = await startProxy({ plugins: [mock] });
    const res = await requestThroughProxy(proxy.port, 'http://nowhere.invalid/');
    expect(res.status).toBe(202);
    expect(res.text).toBe('mocked');
    const waited = await requestThroughProxy(proxy.port, 'http://nowhere.invalid/waited');
    expect([waited.status, waited.text]).toEqual([203, 'waited']);
    expect(later).toEqual([]);
    const seen: string[] = [];
    const wait = gate();
    proxy.proxy.hooks.onExchange.tap({ name: 'maybe', stage: Stage.TRANSFORM }, () => wait.promise.then(() => void seen.push('maybe')));
    proxy.proxy.hooks.onExchange.tap({ name: 'after', stage: Stage.OBSERVE }, () => void seen.push('after'));
    const called = proxy.proxy.hooks.onExchange.promise({} as Exchange);
    expect(seen).toEqual([]);
    wait.open();
    await called;
    expect(seen).toEqual(['maybe', 'after']);
  });
});
