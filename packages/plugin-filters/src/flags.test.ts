import { peerCoreRange } from '@capture/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { CaptureError, type CaptureProxy, type CapturePlugin, type PluginFlag } from '@capture/core';
import filters, { filtersFlags, type FiltersApi, type FiltersOptions } from './index.js';

const flag = (name: string): PluginFlag<FiltersOptions> => {
  const found = filtersFlags.find((entry) => entry.flags.split(' ')[0] === name);
  if (!found) throw new Error(`no flag ${name}`);
  return found;
};

/** Parses occurrences of one flag as the CLI does: each with the value so far. */
const parseAll = (name: string, values: string[]): unknown => values.reduce<unknown>((previous, value) => flag(name).parse!(value, previous), undefined);

describe('filters flags', () => {
  it('are the plugin’s own, with the CLI’s wording', () => {
    expect(filters().flags).toBe(filtersFlags);
    expect(filtersFlags.map((entry) => entry.flags)).toEqual(['--exclude-assets', '--include <pattern>', '--exclude <pattern>', '--methods <list>']);
    expect(flag('--exclude-assets').description).toBe('do not capture images, JavaScript and CSS');
  });

  it('--exclude-assets turns excludeAssets on', () => {
    expect(flag('--exclude-assets').toOptions(true)).toEqual({ excludeAssets: true });
  });

  it('--include and --exclude accumulate substrings and /regex/flags', () => {
    const include = parseAll('--include', ['/api/', '/^https:/i', 'plain']) as unknown[];
    expect(include).toEqual([/api/, /^https:/i, 'plain']);
    expect(flag('--include').toOptions(include)).toEqual({ include });
    const exclude = parseAll('--exclude', ['/track/g', '/api/private']);
    // `g` is dropped (a stateful regex would answer differently for the next URL); a path stays a substring.
    expect(exclude).toEqual([/track/, '/api/private']);
    expect(flag('--exclude').toOptions(exclude)).toEqual({ exclude });
  });

  it('an invalid regex is a usage error naming the flag', () => {
    for (const name of ['--include', '--exclude']) {
      let caught: unknown;
      try {
        flag(name).parse!('/[/', undefined);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(CaptureError);
      expect((caught as CaptureError).code).toBe('USAGE');
      expect((caught as Error).message).toBe(`${name}: invalid regular expression "/[/": Unterminated character class`);
    }
  });

  it('--methods passes the list on; reconfigure validates it like any option', () => {
    expect(flag('--methods').toOptions('GET,post')).toEqual({ methods: 'GET,post' });
    const plugin = filters().reconfigure!(flag('--methods').toOptions('GET,post'));
    expect(plugin.api!.options.methods).toEqual(['GET', 'POST']);
    expect(() => filters().reconfigure!(flag('--methods').toOptions('GET,,POST'))).toThrow('filters: option "methods": empty method in "GET,,POST"');
  });

  it('applies the flags’ values through reconfigure', () => {
    const plugin = filters({ excludeAssets: false }).reconfigure!({ ...flag('--exclude-assets').toOptions(true), ...flag('--include').toOptions(parseAll('--include', ['/v2/'])) });
    expect(plugin.api!.options.excludeAssets).toBe(true);
    expect(plugin.api!.options.include.map((pattern) => pattern.source)).toEqual(['/v2/']);
  });

  it('declares the core it was built for', () => {
    // The range its package.json declares (`workspace:^` here, so nothing to check until packed).
    expect(filters().core).toBe(peerCoreRange(new URL('../src/index.ts', import.meta.url).href));
  });
});

describe('typed registry', () => {
  it('types proxy.plugin("filters") and the plugin’s options', () => {
    // Checked by tsc (the suite's typecheck); nothing to run.
    const lookUp = (proxy: CaptureProxy) => proxy.plugin('filters');
    expectTypeOf(lookUp).returns.toEqualTypeOf<CapturePlugin<FiltersApi> | undefined>();
    expectTypeOf(filters()).toEqualTypeOf<CapturePlugin<FiltersApi, FiltersOptions>>();
    expectTypeOf(filters().reconfigure!).parameter(0).toEqualTypeOf<Partial<FiltersOptions>>();
  });
});
