import { describe, expect, it } from 'vitest';
// Passthrough entries are core's host patterns; these are the cases the https plugin relies on.
import { compileHostPattern, hostMatcher } from '@capture/core';

const matcher = (...entries: Array<string | RegExp>) => hostMatcher(entries.map((entry) => compileHostPattern(entry) as RegExp));

describe('passthrough patterns', () => {
  it('matches exact names case-insensitively', () => {
    const matches = matcher('Example.com');
    expect(matches('example.com')).toBe(true);
    expect(matches('EXAMPLE.COM')).toBe(true);
    expect(matches('www.example.com')).toBe(false);
    expect(matches('example.com.evil')).toBe(false);
  });

  it('matches *.domain at any depth below the domain, not the domain itself', () => {
    const matches = matcher('*.apple.com');
    expect(matches('www.apple.com')).toBe(true);
    expect(matches('a.b.apple.com')).toBe(true);
    expect(matches('apple.com')).toBe(false);
    expect(matches('notapple.com')).toBe(false);
  });

  it('matches a * inside one label only', () => {
    const matches = matcher('api-*.example.com');
    expect(matches('api-eu.example.com')).toBe(true);
    expect(matches('api-eu.x.example.com')).toBe(false);
  });

  it('accepts RegExps and /pattern/flags strings', () => {
    expect(matcher(/bank/)('mybank.example')).toBe(true);
    expect(matcher('/^pay\\./i')('PAY.example')).toBe(true);
    expect(matcher('/^pay\\./')('shop.pay.example')).toBe(false);
  });

  it('explains invalid entries', () => {
    expect(compileHostPattern('/[/')).toMatch(/invalid regular expression "\/\[\/"/);
    expect(compileHostPattern('exa mple.com')).toMatch(/not a host name/);
    expect(compileHostPattern(5)).toMatch(/got 5/);
  });

  it('matches IPv6 addresses written with or without brackets', () => {
    expect(matcher('[::1]')('::1')).toBe(true);
    expect(matcher('::1')('[::1]')).toBe(true);
    expect(matcher('[::1]')('::2')).toBe(false);
  });

  it('passes nothing through when empty', () => {
    expect(hostMatcher([])('example.com')).toBe(false);
  });
});
