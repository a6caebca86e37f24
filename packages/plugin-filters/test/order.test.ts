import { afterEach, describe, expect, it } from 'vitest';
import { Stage, type CapturePlugin } from '@capture/core';
import filters from '../src/index.js';
import { startRig, type FilterRig } from './helpers.js';

let rig: FilterRig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

/**
 * A plugin that transforms requests (`Stage.TRANSFORM`) and reads response heads before storing
 * (`Stage.STORAGE`): it records what filters had decided by the time each of its taps ran.
 */
function observer(): CapturePlugin & { seen: string[] } {
  const seen: string[] = [];
  return {
    name: 'observer',
    seen,
    apply(proxy) {
      proxy.hooks.onRequest.tap({ name: 'observer', stage: Stage.TRANSFORM }, ({ exchange }) => {
        seen.push(`request ${new URL(exchange.request.url).pathname}: ${exchange.skip?.reason ?? 'capture'}`);
        return undefined;
      });
      proxy.hooks.onResponse.tap({ name: 'observer', stage: Stage.STORAGE }, ({ exchange }) => {
        const decision = exchange.skip?.reason ?? exchange.response?.bodySkipped ?? 'capture';
        seen.push(`response ${new URL(exchange.request.url).pathname}: ${decision}`);
      });
    },
  };
}

describe('filters run before storage whatever the order of plugins', () => {
  it.each([
    ['storage listed before filters', 'before'],
    ['storage listed after filters', 'after'],
  ])('%s', async (_label, where) => {
    const watcher = observer();
    const filter = filters({ exclude: ['/ads'], excludeAssets: true });
    rig = await startRig((storage) => (where === 'before' ? [storage, watcher, filter] : [filter, watcher, storage]));
    const ad = await rig.send('/ads/banner');
    const style = await rig.send('/style?ct=text/css');
    const photo = await rig.send('/photo?ct=image/avif'); // an image: an asset, so filtered
    const song = await rig.send('/song?ct=audio/mpeg'); // media that is not an asset: captured without body
    const api = await rig.send('/api');
    expect(rig.storage.stored).toEqual([song.exchange, api.exchange]);
    expect([ad, style, photo].map(({ exchange }) => exchange.skip?.reason)).toEqual(['filtered: exclude', 'filtered: asset', 'filtered: asset']);
    expect(watcher.seen).toEqual([
      'request /ads/banner: filtered: exclude',
      'response /ads/banner: filtered: exclude',
      'request /style: capture',
      'response /style: filtered: asset',
      'request /photo: capture',
      'response /photo: filtered: asset',
      'request /song: capture',
      'response /song: media',
      'request /api: capture',
      'response /api: capture',
    ]);
  });
});
