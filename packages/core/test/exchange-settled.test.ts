import { afterEach, describe, expect, it } from 'vitest';
import { canHandOff, HANDOFF_BYTES, Stage, type CapturePlugin, type Exchange } from '../src/index.js';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';
import { gate } from './helpers/gate.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;

afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
});

describe('proxy.afterExchangeSettled', () => {
  it('calls back once every onExchange tap has settled, a later stage waiting on a promise included', async () => {
    const events: string[] = [];
    const observing = gate();
    const reached = gate();
    const settled = gate<Exchange>();
    const plugin: CapturePlugin = {
      name: 'lender',
      apply(p) {
        p.hooks.onExchange.tap({ name: 'storage', stage: Stage.STORAGE }, (exchange) => {
          events.push('storage');
          p.afterExchangeSettled(exchange, () => {
            events.push('settled');
            settled.open(exchange);
          });
        });
        p.hooks.onExchange.tap({ name: 'observer', stage: Stage.OBSERVE }, () => {
          events.push('observer');
          reached.open();
          return observing.promise.then(() => void events.push('observer done'));
        });
      },
    };
    origin = await startOrigin();
    proxy = await startProxy({ plugins: [plugin] });
    await requestThroughProxy(proxy.port, `${origin.url}/lent`);
    await reached.promise;
    expect(events).toEqual(['storage', 'observer']);
    observing.open();
    const exchange = await settled.promise;
    expect(exchange.request.url).toBe(`${origin.url}/lent`);
    expect(events).toEqual(['storage', 'observer', 'observer done', 'settled']);
  });

  it('calls back after a tap rejects too, and reports a callback that throws without losing the others', async () => {
    const settledIds: number[] = [];
    const errors: string[] = [];
    const done = gate();
    const plugin: CapturePlugin = {
      name: 'failing',
      apply(p) {
        p.hooks.onError.tap('errors', (error) => void errors.push(error.message));
        p.hooks.onExchange.tap({ name: 'storage', stage: Stage.STORAGE }, (exchange) => {
          p.afterExchangeSettled(exchange, () => {
            throw new Error('callback broke');
          });
          p.afterExchangeSettled(exchange, () => {
            settledIds.push(exchange.id);
            done.open();
          });
        });
        p.hooks.onExchange.tap({ name: 'broken', stage: Stage.OBSERVE }, () => Promise.reject(new Error('tap broke')));
      },
    };
    origin = await startOrigin();
    proxy = await startProxy({ plugins: [plugin] });
    await requestThroughProxy(proxy.port, `${origin.url}/x`);
    await done.promise;
    expect(settledIds).toHaveLength(1);
    expect(errors.some((message) => message.includes('tap broke'))).toBe(true);
    expect(errors.some((message) => message.includes('callback broke'))).toBe(true);
  });
});

describe('canHandOff', () => {
  it('allows a large body that owns its whole buffer, nothing shorter, shared or a view into more', () => {
    expect(canHandOff(Buffer.allocUnsafe(HANDOFF_BYTES))).toBe(true);
    expect(canHandOff(Buffer.allocUnsafe(HANDOFF_BYTES - 1))).toBe(false);
    const larger = Buffer.allocUnsafe(HANDOFF_BYTES * 2);
    expect(canHandOff(larger.subarray(0, HANDOFF_BYTES))).toBe(false);
    expect(canHandOff(larger.subarray(HANDOFF_BYTES))).toBe(false);
    expect(canHandOff(new Uint8Array(new SharedArrayBuffer(HANDOFF_BYTES)))).toBe(false);
  });

  it('allows the capture of a large download as the proxy hands it to onExchange', async () => {
    const body = Buffer.alloc(3 * HANDOFF_BYTES, 7);
    origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(body);
    });
    const seen = gate<boolean>();
    const plugin: CapturePlugin = {
      name: 'probe',
      apply(p) {
        p.hooks.onExchange.tap('probe', (exchange) => seen.open(canHandOff(exchange.response!.body!.bytes)));
      },
    };
    proxy = await startProxy({ plugins: [plugin] });
    const res = await requestThroughProxy(proxy.port, `${origin.url}/big`);
    expect(res.status).toBe(200);
    expect(await seen.promise).toBe(true);
  });
});
