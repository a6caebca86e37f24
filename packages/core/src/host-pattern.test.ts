import { describe, expect, it } from 'vitest';
import { compileHostPattern, formatAuthority, hostMatcher, stripBrackets } from './host-pattern.js';

const matcher = (...entries: unknown[]) => hostMatcher(entries.map((entry) => compileHostPattern(entry) as RegExp));

describe('host patterns', () => {
  it('matches names case-insensitively, with * for part of a label and *. for any subdomain', () => {
    const match = matcher('Example.com', 'api-*.test', '*.apple.com');
    expect(['example.com', 'EXAMPLE.COM.', 'api-1.test', 'www.apple.com', 'a.b.apple.com'].map(match)).toEqual([true, true, true, true, true]);
    expect(['apple.com', 'api.test', 'x.example.com'].map(match)).toEqual([false, false, false]);
  });
  it('compares IPv6 addresses with or without brackets', () => {
    const match = matcher('[::1]');
    expect([match('::1'), match('[::1]'), match('::2')]).toEqual([true, true, false]);
  });
  it('accepts /regex/ strings and RegExps, and explains bad entries', () => {
    expect(matcher('/^10\\./')('10.0.0.1')).toBe(true);
    expect(matcher(/local$/g)('my.local')).toBe(true);
    expect(compileHostPattern('a b')).toBe('"a b" is not a host name (use /pattern/ for a regular expression)');
    expect(compileHostPattern(7)).toMatch(/expected a host name.*got 7/);
    expect(hostMatcher([])('anything')).toBe(false);
  });
  it('brackets IPv6 in authorities and strips them for comparison', () => {
    expect(formatAuthority('::1', 8443)).toBe('[::1]:8443');
    expect(formatAuthority('example.com', 443)).toBe('example.com:443');
    expect(stripBrackets('[::1]')).toBe('::1');
    expect(stripBrackets('example.com')).toBe('example.com');
  });
});
