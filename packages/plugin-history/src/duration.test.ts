import { describe, expect, it } from 'vitest';
import { parseDuration, parseSince } from './duration.js';

describe('durations', () => {
  it('parses milliseconds and text durations', () => {
    expect(parseDuration(5000)).toBe(5000);
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
  });

  it('parses --since as a duration back from now or as a date', () => {
    const now = Date.UTC(2024, 4, 2, 12, 0, 0);
    expect(parseSince('2h', now)).toBe(now - 7_200_000);
    expect(parseSince('2024-05-01T10:00:00Z', now)).toBe(Date.UTC(2024, 4, 1, 10, 0, 0));
    expect(parseSince('whenever', now)).toBeUndefined();
  });
});
