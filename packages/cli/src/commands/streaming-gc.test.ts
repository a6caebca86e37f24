import { describe, expect, it } from 'vitest';
import { collectOldGenerationAtOnce } from './streaming-gc.js';

describe('collectOldGenerationAtOnce', () => {
  it("leaves V8's marking as the user chose it on Node's command line", () => {
    expect(collectOldGenerationAtOnce(['--incremental-marking'])).toBe(false);
    expect(collectOldGenerationAtOnce(['--no-incremental-marking'])).toBe(false);
    expect(collectOldGenerationAtOnce(['--trace-gc', '--incremental_marking'])).toBe(false);
  });

  it('sets the flag otherwise', () => {
    expect(collectOldGenerationAtOnce(['--trace-gc'])).toBe(true);
  });
});
