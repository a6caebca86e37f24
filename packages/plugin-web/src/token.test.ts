import { describe, expect, it } from 'vitest';
import { generateToken, tokenChecker } from './token.js';

describe('access token', () => {
  it('is random, URL-safe and long enough', () => {
    const a = generateToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(generateToken()).not.toBe(a);
  });

  it('accepts exactly the token', () => {
    const check = tokenChecker('abcdefghijklmnop');
    expect(check('abcdefghijklmnop')).toBe(true);
    expect(check('abcdefghijklmnoP')).toBe(false);
    expect(check('abcdefghijklmno')).toBe(false);
    expect(check('')).toBe(false);
    expect(check(undefined)).toBe(false);
  });
});
