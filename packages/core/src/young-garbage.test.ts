import { constants, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { MarkingPause } from './streaming-marking.js';
import { LARGE_BODY_BYTES, YoungGarbagePacer } from './young-garbage.js';

/** A pause that switches nothing, so these tests leave V8's flags alone. */
const inertMarking = () => new MarkingPause(() => undefined, 1_000, []);

describe('YoungGarbagePacer', () => {
  it('collects once per `every` bytes forwarded, however the bytes arrive', () => {
    const runs: string[] = [];
    const pacer = new YoungGarbagePacer(1000, (options) => runs.push(`${options.type}/${options.execution}`), inertMarking());
    for (let i = 0; i < 99; i++) pacer.note(10);
    expect(runs).toEqual([]);
    pacer.note(10);
    expect(runs).toEqual(['minor/sync']);
    pacer.note(5000);
    expect(runs).toHaveLength(2);
  });

  it('pauses incremental marking at a collection when a large body streamed, not for small ones', () => {
    const marking = inertMarking();
    const pacer = new YoungGarbagePacer(1000, () => undefined, marking);
    // Small bodies only (a keep-alive burst): collections, no pause.
    for (let i = 0; i < 10; i++) pacer.note(500, 500);
    expect(marking.paused).toBe(false);
    // A large body: paused at the next collection, not before.
    pacer.note(500, LARGE_BODY_BYTES);
    expect(marking.paused).toBe(false);
    pacer.note(500, LARGE_BODY_BYTES + 500);
    expect(marking.paused).toBe(true);
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
    new YoungGarbagePacer(1, undefined, inertMarking()).note(1);
    await minor;
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
  });
});
