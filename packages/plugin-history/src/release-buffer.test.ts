import { describe, expect, it } from 'vitest';
import { releaseNow } from './release-buffer.js';

describe('releaseNow', () => {
  it('detaches the buffer, so every view of it is empty and its memory is no longer held', () => {
    const buffer = new ArrayBuffer(10 * 1024 * 1024);
    const view = new Uint8Array(buffer, 1024, 4096);
    releaseNow(buffer);
    expect(buffer.byteLength).toBe(0);
    expect(view.byteLength).toBe(0);
  });

  it('leaves an empty buffer alone', () => {
    expect(() => releaseNow(new ArrayBuffer(0))).not.toThrow();
  });
});
