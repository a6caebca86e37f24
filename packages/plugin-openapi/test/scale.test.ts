import { describe, expect, it } from 'vitest';
import { generateOpenApi, renderOpenApi } from '../src/index.js';
import { shopTraffic } from './fixtures/shop-api.js';

describe('scale', () => {
  it('describes 10,000 exchanges in a few seconds at most, with the same paths as 22', () => {
    const base = shopTraffic();
    // Many users and orders: the same endpoints with other ids, as a long capture would have.
    const many = Array.from({ length: 455 }, (_, round) =>
      base.map((exchange) => ({ ...exchange, id: round * base.length + exchange.id, request: { ...exchange.request, url: exchange.request.url.replace('/users/1', `/users/${round + 1}`) } })),
    ).flat();
    // CPU time, not wall time: the suites run side by side on a shared machine, and waiting for a
    // core is not this code's cost.
    const started = process.cpuUsage();
    const { document, used } = generateOpenApi(many);
    const text = renderOpenApi(document, 'yaml');
    const spent = process.cpuUsage(started);
    const elapsed = (spent.user + spent.system) / 1000;
    console.log(`openapi: ${used} exchanges → ${text.length} bytes of YAML in ${Math.round(elapsed)} ms of CPU`);
    expect(used).toBe(many.length);
    expect(Object.keys(document.paths)).toEqual(Object.keys(generateOpenApi(base).document.paths));
    expect(elapsed).toBeLessThan(10_000);
  });
});
