import { afterEach, describe, expect, it } from 'vitest';
import { ID_RANGE_SQL } from '../src/schema.js';
import { historyRow as row, openTempStore } from './helpers/rows.js';
import { cleanupAll } from './helpers/temp.js';

afterEach(cleanupAll);

describe('statements the writer runs after every batch', () => {
  it('finds the oldest and newest ids from the ends of the table, never by reading every row', () => {
    const { store } = openTempStore();
    store.insertMany(Array.from({ length: 50 }, (_, index) => row({ started_at: index })));
    const plan = (store.db.prepare(`EXPLAIN QUERY PLAN ${ID_RANGE_SQL}`).all() as Array<{ detail: string }>).map((step) => step.detail);
    expect(plan.filter((detail) => /^SCAN exchanges/.test(detail))).toEqual([]);
    expect(plan.filter((detail) => /^SEARCH exchanges/.test(detail))).toHaveLength(2);
    expect(store.db.prepare(ID_RANGE_SQL).get()).toEqual({ oldest: 1, newest: 50 });
    // Retention's question, answered from those two ids.
    expect(store.pruneDue(40)).toBe(true);
    expect(store.pruneDue(50)).toBe(false);
    store.close();
  });
});
