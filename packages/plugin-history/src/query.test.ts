import { describe, expect, it } from 'vitest';
import { filterFromFlags, filterToSql } from './query.js';

describe('filters', () => {
  it('binds every value instead of splicing it into SQL', () => {
    const { where, params } = filterToSql({ host: "x'; DROP TABLE exchanges; --", methods: ['get'], statuses: ['4xx', '201'], search: 'q' });
    expect(where).not.toContain('DROP');
    expect(params).toMatchObject({ host: "x'; drop table exchanges; --", method0: 'GET', statusLow0: 400, status1: 201, search: 'q' });
  });

  it('turns flags into a filter and rejects bad values naming the flag', () => {
    expect(filterFromFlags({ id: ['3', '4,5'], method: 'GET, post', limit: '10' }, 50)).toEqual({ ids: [3, 4, 5], methods: ['GET', 'post'], limit: 10 });
    expect(filterFromFlags({}, 50)).toEqual({ limit: 50 });
    expect(() => filterFromFlags({ id: ['x'] }, undefined)).toThrow('--id expects exchange ids (numbers), got "x"');
    expect(() => filterFromFlags({ status: '600' }, undefined)).toThrow('--status expects');
  });
});
