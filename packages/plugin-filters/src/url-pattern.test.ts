// The URL patterns filters relies on (include/exclude), now compiled by @capture/core.
import { describe, expect, it } from 'vitest';
import { compileUrlPattern, matchAny, type CompiledPattern } from '@capture/core';

/** Compiles as for a JSON/YAML config (`/pattern/flags` strings are regexes) unless `regexStrings` is false. */
const compiled = (value: unknown, regexStrings = true): CompiledPattern => {
  const result = compileUrlPattern(value, { regexStrings });
  if (typeof result === 'string') throw new Error(result);
  return result;
};

describe('compileUrlPattern', () => {
  it('matches a plain string as a substring of the full URL, case-sensitively', () => {
    const substring = compiled('api.');
    expect(substring.test('https://api.h.test/x')).toBe(true);
    expect(substring.test('https://apix.h.test/x')).toBe(false);
    expect(substring.test('https://API.h.test/x')).toBe(false);
  });

  it('treats regex metacharacters in a plain string literally', () => {
    const pattern = compiled('a.b?c=1');
    expect(pattern.test('http://h/a.b?c=1')).toBe(true);
    expect(pattern.test('http://h/axb?c=1')).toBe(false);
  });

  it('reads /pattern/flags strings as regular expressions', () => {
    const pattern = compiled('/^https:\\/\\/api\\./i');
    expect(pattern.test('HTTPS://API.h.test/')).toBe(true);
    expect(pattern.test('http://api.h.test/')).toBe(false);
    expect(pattern.source).toBe('/^https:\\/\\/api\\./i');
  });

  it('reads a string that starts and ends with a slash as a regex, even /api/', () => {
    const pattern = compiled('/api/');
    expect(pattern.test('http://h.test/v1/api/users')).toBe(true);
    expect(pattern.test('http://h.test/rapid')).toBe(true);
    const path = compiled('/api');
    expect(path.test('http://h.test/api/users')).toBe(true);
    expect(path.test('http://h.test/rapid')).toBe(false);
  });

  it('keeps every string a plain substring in code configs, where regexes are RegExp objects', () => {
    const pattern = compiled('/api/', false);
    expect(pattern.test('http://h.test/v1/api/users')).toBe(true);
    expect(pattern.test('http://h.test/rapid')).toBe(false);
    expect(compiled('/[/', false).test('http://h/[/x')).toBe(true);
  });

  it('keeps a path whose last segment is not made of flag letters a plain substring', () => {
    const pattern = compiled('/api/private');
    expect(pattern.test('http://h/api/private/keys')).toBe(true);
    expect(pattern.test('http://h/api/PRIVATE')).toBe(false);
  });

  it('refuses a short tail that is not all flags (issue 21: /abc/z is a typo, not a substring)', () => {
    expect(compileUrlPattern('/a/q', { regexStrings: true })).toMatch(/unknown flag "q"/);
  });

  it('reads an unescaped slash inside /pattern/ as part of the pattern', () => {
    const pattern = compiled('/v[12]/users/');
    expect(pattern.test('http://h/v2/users')).toBe(true);
    expect(pattern.test('http://h/v3/users')).toBe(false);
  });

  it('accepts RegExp objects, dropping g and y so one URL does not change the next answer', () => {
    const pattern = compiled(/track/gy);
    expect(pattern.test('track')).toBe(true);
    expect(pattern.test('track')).toBe(true);
    const fromString = compiled('/track/g');
    expect(fromString.test('http://h/track')).toBe(true);
    expect(fromString.test('http://h/track')).toBe(true);
  });

  it.each([
    ['/[/', 'invalid regular expression "/[/": Unterminated character class'],
    ['/a(/', 'invalid regular expression "/a(/": Unterminated group'],
    ['/a/ii', '"/a/ii": Invalid flags'],
    ['', 'an empty pattern would match every URL'],
    [42, 'expected a string or a RegExp, got 42'],
    [null, 'expected a string or a RegExp, got null'],
  ])('reports %j with the bad value', (value, message) => {
    expect(compileUrlPattern(value, { regexStrings: true })).toContain(message);
  });
});

describe('matchAny', () => {
  it('is undefined for no patterns and true when any pattern matches', () => {
    expect(matchAny([])).toBeUndefined();
    const any = matchAny([compiled('/login'), compiled('/\\.json$/')])!;
    expect(any('http://h/login')).toBe(true);
    expect(any('http://h/data.json')).toBe(true);
    expect(any('http://h/data.xml')).toBe(false);
  });
});
