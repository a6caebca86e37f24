import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseGroupBy, resolveCollectionsOptions } from './options.js';

describe('collections options', () => {
  it('fills in defaults: chronological, requests only, half a second between writes', () => {
    expect(resolveCollectionsOptions()).toEqual({ name: 'Captured requests', file: undefined, groupBy: [], saveResponses: false, flushInterval: 500 });
  });

  it('accepts every way of writing a grouping and always puts domains outside endpoints', () => {
    expect(parseGroupBy('none')).toEqual([]);
    expect(parseGroupBy('domain')).toEqual(['domain']);
    expect(parseGroupBy('Endpoint')).toEqual(['endpoint']);
    expect(parseGroupBy('domain,endpoint')).toEqual(['domain', 'endpoint']);
    expect(parseGroupBy(' endpoint , domain ')).toEqual(['domain', 'endpoint']);
    expect(parseGroupBy(['endpoint', 'domain'])).toEqual(['domain', 'endpoint']);
    expect(parseGroupBy([])).toEqual([]);
  });

  it('resolves a relative file against the working directory and takes file: URLs', () => {
    expect(resolveCollectionsOptions({ file: 'my-app.postman_collection.json' }).file).toBe(path.resolve('my-app.postman_collection.json'));
    const absolute = path.join(path.sep, 'tmp', 'x.postman_collection.json');
    expect(resolveCollectionsOptions({ file: pathToFileURL(absolute) }).file).toBe(absolute);
  });

  it('names the option and the bad value in one line', () => {
    expect(() => resolveCollectionsOptions({ groupBy: 'host' })).toThrow(
      'collections: option "groupBy": expected "none", "domain", "endpoint", "domain,endpoint" or a list of "domain" and "endpoint", got "host"',
    );
    expect(() => resolveCollectionsOptions({ name: '  ' })).toThrow('collections: option "name": expected a non-empty string, got ""');
    expect(() => resolveCollectionsOptions({ saveResponses: 'yes' })).toThrow('collections: option "saveResponses": expected true or false, got "yes"');
    expect(() => resolveCollectionsOptions({ file: 42 })).toThrow('collections: option "file": expected a file path or a file: URL, got 42');
    expect(() => resolveCollectionsOptions({ flushInterval: 0 })).toThrow('option "flushInterval": expected milliseconds from 10 to 10000, got 0');
    expect(() => resolveCollectionsOptions({ groupby: 'domain' })).toThrow('collections: unknown option "groupby" (known: name, file, groupBy, saveResponses, flushInterval)');
    expect(() => resolveCollectionsOptions('Demo')).toThrow('collections: expected an options object, got "Demo"');
  });
});
