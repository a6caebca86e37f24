import { describe, expect, it } from 'vitest';
import { CaptureError } from './errors.js';
import { compileUrlPattern, describeValue, matchAny, parseRegexLiteral, type CompiledPattern } from './pattern.js';

describe('parseRegexLiteral', () => {
  it('reads /pattern/flags and drops the stateful flags', () => {
    expect(parseRegexLiteral('/api/i')).toEqual(/api/i);
    expect(parseRegexLiteral('/a\\/b/')?.test('a/b')).toBe(true);
    expect(parseRegexLiteral('/x/gy')?.flags).toBe('');
  });
  it('leaves paths and plain text alone', () => {
    expect(parseRegexLiteral('/api/private')).toBeUndefined();
    expect(parseRegexLiteral('api')).toBeUndefined();
  });
  it('names the text of a literal that does not compile', () => {
    expect(() => parseRegexLiteral('/[/')).toThrow(CaptureError);
    expect(() => parseRegexLiteral('/[/')).toThrow(/invalid regular expression "\/\[\/"/);
  });
});

describe('compileUrlPattern and matchAny', () => {
  const compiled = (value: unknown, regexStrings = false) => compileUrlPattern(value, { regexStrings }) as CompiledPattern;
  it('treats strings as substrings, and /re/ as regex only for data options', () => {
    expect(compiled('/api').test('http://x/api/1')).toBe(true);
    expect(compiled('/API/i').test('http://x/api/1')).toBe(false);
    expect(compiled('/API/i', true).test('http://x/api/1')).toBe(true);
    expect(compiled(/v\d/g).test('http://x/v2')).toBe(true);
    expect(compiled(/v\d/g).test('http://x/v2')).toBe(true);
  });
  it('returns a message naming a bad value instead of throwing', () => {
    expect(compileUrlPattern(42)).toBe('expected a string or a RegExp, got 42');
    expect(compileUrlPattern('')).toMatch(/empty pattern/);
    expect(compileUrlPattern('/[/', { regexStrings: true })).toMatch(/invalid regular expression/);
  });
  it('matchAny is undefined for no patterns and true when any matches', () => {
    expect(matchAny([])).toBeUndefined();
    const any = matchAny([compiled('a'), compiled('b')])!;
    expect([any('xa'), any('xb'), any('xc')]).toEqual([true, true, false]);
  });
  it('describes values for messages', () => {
    expect([describeValue('x'), describeValue(/x/i), describeValue(undefined), describeValue(() => 1), describeValue({ a: 1 })]).toEqual([
      '"x"',
      '/x/i',
      'undefined',
      'a function',
      '{"a":1}',
    ]);
  });
});
