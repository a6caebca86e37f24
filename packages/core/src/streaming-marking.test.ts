import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MarkingPause } from './streaming-marking.js';

describe('MarkingPause', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('turns marking off once while bodies stream and back on after a quiet spell', () => {
    const switched: boolean[] = [];
    const pause = new MarkingPause((on) => switched.push(on), 2_000, []);
    pause.streaming();
    vi.advanceTimersByTime(1_500);
    pause.streaming();
    vi.advanceTimersByTime(1_500);
    // Still streaming within the quiet period: one switch off, none back yet.
    expect(switched).toEqual([false]);
    expect(pause.paused).toBe(true);
    vi.advanceTimersByTime(600);
    expect(switched).toEqual([false, true]);
    expect(pause.paused).toBe(false);
    pause.streaming();
    expect(switched).toEqual([false, true, false]);
  });

  it("never switches when Node's command line chose the marking mode", () => {
    for (const flag of ['--incremental-marking', '--no-incremental-marking', '--incremental_marking']) {
      const switched: boolean[] = [];
      const pause = new MarkingPause((on) => switched.push(on), 2_000, ['--trace-gc', flag]);
      pause.streaming();
      vi.advanceTimersByTime(5_000);
      expect(switched).toEqual([]);
      expect(pause.paused).toBe(false);
    }
  });
});
