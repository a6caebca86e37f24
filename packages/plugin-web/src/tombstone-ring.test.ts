import { describe, expect, it } from 'vitest';
import { TombstoneRing } from './tombstone-ring.js';

describe('TombstoneRing', () => {
  it('finds the last `capacity` ids and forgets an id once its slot is reused', () => {
    const ring = new TombstoneRing(4);
    for (let id = 1; id <= 6; id++) ring.set(id, 1000 + id, 'GET', `http://origin.test/${id}`);
    expect(ring.get(6)).toEqual({ startedAt: 1006, method: 'GET', url: 'http://origin.test/6' });
    expect(ring.get(3)).toEqual({ startedAt: 1003, method: 'GET', url: 'http://origin.test/3' });
    // 1 and 2 shared their slots with 5 and 6.
    expect(ring.get(1)).toBeUndefined();
    expect(ring.get(2)).toBeUndefined();
    expect(ring.get(7)).toBeUndefined();
  });

  it('answers nothing for ids it never held, negative or fractional ones, and after clear', () => {
    const ring = new TombstoneRing(8);
    expect(ring.get(0)).toBeUndefined();
    ring.set(0, 5, 'POST', 'http://origin.test/');
    expect(ring.get(0)?.method).toBe('POST');
    expect(ring.get(-8)).toBeUndefined();
    expect(ring.get(8.5)).toBeUndefined();
    ring.clear();
    expect(ring.get(0)).toBeUndefined();
  });
});
