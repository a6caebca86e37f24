import { peerCoreRange } from '@capture/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CaptureError, type CapturePlugin, type CaptureProxy, type PluginFlag } from '@capture/core';
import collections, { collectionsFlags, type CollectionsApi, type CollectionsOptions } from './index.js';

const flag = (name: string): PluginFlag<CollectionsOptions> => {
  const found = collectionsFlags.find((entry) => entry.flags.split(' ')[0] === name);
  if (!found) throw new Error(`no flag ${name}`);
  return found;
};

describe('collections flags', () => {
  it('are the plugin’s own, with the CLI’s wording', () => {
    expect(collections().flags).toBe(collectionsFlags);
    expect(collectionsFlags.map((entry) => entry.flags)).toEqual(['--collection <name>', '--group-by <grouping>']);
    expect(flag('--collection').description).toBe('the Postman collection to save to (default "Captured requests"), in <data>/collections');
  });

  it('--collection names the collection', () => {
    expect(flag('--collection').toOptions('My App')).toEqual({ name: 'My App' });
    expect(collections().reconfigure!(flag('--collection').toOptions('My App')).api!.options.name).toBe('My App');
  });

  it('--group-by reads a grouping, domain first', () => {
    const levels = flag('--group-by').parse!('endpoint,domain', undefined);
    expect(levels).toEqual(['domain', 'endpoint']);
    expect(flag('--group-by').parse!('none', undefined)).toEqual([]);
    expect(flag('--group-by').toOptions(levels)).toEqual({ groupBy: ['domain', 'endpoint'] });
    expect(collections().reconfigure!(flag('--group-by').toOptions(levels)).api!.options.groupBy).toEqual(['domain', 'endpoint']);
  });

  it('a bad --group-by is a usage error saying what it expects', () => {
    let caught: unknown;
    try {
      flag('--group-by').parse!('host', undefined);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CaptureError);
    expect((caught as CaptureError).code).toBe('USAGE');
    expect((caught as Error).message).toBe('--group-by expects "none", "domain", "endpoint", "domain,endpoint" or a list of "domain" and "endpoint", got "host"');
  });

  it('declares the core it was built for', () => {
    // The range its package.json declares (`workspace:^` here, so nothing to check until packed).
    expect(collections().core).toBe(peerCoreRange(new URL('../src/index.ts', import.meta.url).href));
  });
});

describe('typed registry', () => {
  it('types proxy.plugin("collections") and the plugin’s options', () => {
    // Checked by tsc (the suite's typecheck); nothing to run.
    const lookUp = (proxy: CaptureProxy) => proxy.plugin('collections');
    expectTypeOf(lookUp).returns.toEqualTypeOf<CapturePlugin<CollectionsApi> | undefined>();
    expectTypeOf(collections().reconfigure!).parameter(0).toEqualTypeOf<Partial<CollectionsOptions>>();
  });
});
