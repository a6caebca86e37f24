import { describe, expect, it } from 'vitest';
import { CaptureError } from '@capture/core';
import { resolveFiltersOptions } from './options.js';
import filters from './index.js';

/** Errors as a JSON/YAML config gets them (where /pattern/ strings are regexes). */
const errorOf = (options: unknown): string => {
  try {
    resolveFiltersOptions(options, { format: 'data' });
  } catch (error) {
    expect(error).toBeInstanceOf(CaptureError);
    expect((error as CaptureError).code).toBe('CONFIG_INVALID');
    return (error as Error).message;
  }
  throw new Error('expected an error');
};

describe('resolveFiltersOptions', () => {
  it('defaults to no rules', () => {
    expect(resolveFiltersOptions({})).toEqual({ excludeAssets: false, include: [], exclude: [], methods: [] });
  });

  it('takes a single pattern or a list, and methods as a string or a list', () => {
    const resolved = resolveFiltersOptions({ include: '/api/', exclude: [/track/, 'ads'], methods: 'get, post' });
    expect(resolved.include.map((pattern) => pattern.source)).toEqual(['/api/']);
    expect(resolved.exclude.map((pattern) => pattern.source)).toEqual(['/track/', 'ads']);
    expect(resolved.methods).toEqual(['GET', 'POST']);
  });

  it.each([
    [{ include: ['/[/'] }, 'filters: option "include[0]": invalid regular expression "/[/": Unterminated character class'],
    [{ exclude: ['ok', '/(/'] }, 'filters: option "exclude[1]": invalid regular expression "/(/": Unterminated group'],
    [{ include: '/[/' }, 'filters: option "include": invalid regular expression "/[/": Unterminated character class'],
    [{ include: [''] }, 'filters: option "include[0]": an empty pattern would match every URL; remove it or write a substring or /regex/'],
    [{ exclude: [7] }, 'filters: option "exclude[0]": expected a string or a RegExp, got 7'],
    [{ methods: 'GET,,POST' }, 'filters: option "methods": empty method in "GET,,POST"'],
    [{ methods: ['GET', ''] }, 'filters: option "methods": empty method in ""'],
    [{ methods: 'GET POST' }, 'filters: option "methods": "GET POST" is not an HTTP method'],
    [{ excludeAssets: 'yes' }, 'filters: option "excludeAssets": expected true or false, got "yes"'],
    [{ inclde: ['/api/'] }, 'filters: unknown option "inclde" (known: excludeAssets, include, exclude, methods)'],
    ['GET', 'filters: expected an options object, got "GET"'],
  ])('rejects %j with one line naming the option and the value', (options, message) => {
    const text = errorOf(options);
    expect(text).toBe(message);
    expect(text).not.toContain('\n');
  });

  it('names every bad option, still on one line', () => {
    const text = errorOf({ include: ['/[/'], methods: '', bogus: 1 });
    expect(text).toContain('unknown option "bogus"');
    expect(text).toContain('option "include[0]"');
    expect(text).toContain('option "methods": empty method in ""');
    expect(text).not.toContain('\n');
  });
});

describe('filters()', () => {
  it('throws from the factory, and reconfigure validates the merged options', () => {
    expect(() => filters({ methods: ',' })).toThrow('filters: option "methods": empty method in ","');
    const plugin = filters({ include: ['/api/'] });
    expect(plugin.name).toBe('filters');
    expect(() => plugin.reconfigure!({ include: [''] })).toThrow('option "include[0]"');
    // A JSON/YAML config's factory call keeps reading /pattern/ strings as regexes when reconfigured.
    expect(() => filters({}, { format: 'data' }).reconfigure!({ include: ['/[/'] })).toThrow('invalid regular expression');
    const changed = plugin.reconfigure!({ methods: 'get' });
    expect(changed.api!.options.methods).toEqual(['GET']);
    expect(changed.api!.options.include.map((pattern) => pattern.source)).toEqual(['/api/']);
  });
});
