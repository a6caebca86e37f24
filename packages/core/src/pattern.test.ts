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
  it('reads a tail of known flags as flags, even a long one', () => {
    expect(parseRegexLiteral('/api/')).toEqual(/api/);
    expect(parseRegexLiteral('/v\\d+/gimsu')?.flags).toBe('imsu');
  });
  it('keeps longer or non-letter tails as plain text', () => {
    for (const text of ['/api/private', '/api/v1', '/static/app.js', '/api/users', '/a/b-c', '/api']) {
      expect(parseRegexLiteral(text), text).toBeUndefined();
    }
  });
  it.each([
    ['/abc/z', 'unknown flag "z"'],
    ['/x/Ig', 'unknown flag "I"'],
    ['/x/iq', 'unknown flag "q"'],
    ['/api/me', 'unknown flag "e"'],
    ['/x/gg', 'flag "g" is given twice'],
    ['/x/ii', 'flag "i" is given twice'],
    ['/x/gimsug', 'flag "g" is given twice'],
  ])('refuses %s naming the text and the bad flag', (text, reason) => {
    expect(() => parseRegexLiteral(text)).toThrow(CaptureError);
    expect(() => parseRegexLiteral(text)).toThrow(`invalid regular expression ${JSON.stringify(text)}: Invalid flags: ${reason}`);
  });
  it('says how to write a refused path as text', () => {
    expect(() => parseRegexLiteral('/api/me')).toThrow('to match the text /api/me, write api/me (no first slash) or the regex /\\/api\\/me/');
    expect(parseRegexLiteral('/\\/api\\/me/')?.test('http://x/api/me')).toBe(true);
  });
  it('refuses flags that do not go together', () => {
    expect(() => parseRegexLiteral('/x/uv')).toThrow(/invalid regular expression "\/x\/uv"/);
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
    expect(compileUrlPattern('/abc/z', { regexStrings: true })).toMatch(/^invalid regular expression "\/abc\/z": Invalid flags: unknown flag "z"/);
    expect((compileUrlPattern('/abc/z') as CompiledPattern).test('http://x/abc/z')).toBe(true);
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
