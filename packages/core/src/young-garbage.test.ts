import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { YoungGarbagePacer } from './young-garbage.js';

describe('YoungGarbagePacer', () => {
  it('collects once per `every` bytes forwarded, however the bytes arrive', () => {
    const runs: string[] = [];
    const pacer = new YoungGarbagePacer(1000, (options) => runs.push(`${options.type}/${options.execution}`));
    for (let i = 0; i < 99; i++) pacer.note(10);
    expect(runs).toEqual([]);
    pacer.note(10);
    expect(runs).toEqual(['minor/sync']);
    pacer.note(5000);
    expect(runs).toHaveLength(2);
  });

  it('runs V8\'s own minor collection without a flag, and leaves the global without `gc`', async () => {
    const minor = new Promise<void>((resolve) => {
      const observer = new PerformanceObserver((list) => {
        if (!list.getEntries().some((entry) => (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR)) return;
        observer.disconnect();
        resolve();
      });
      observer.observe({ entryTypes: ['gc'] });
    });
    new YoungGarbagePacer(1).note(1);
    await minor;
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
