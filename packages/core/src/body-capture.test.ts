import { describe, expect, it } from 'vitest';
import { BodyCollector, declaredLength } from './body-capture.js';

/** `count` chunks of `size` bytes, each filled with its own byte value. */
function chunks(count: number, size: number): Buffer[] {
  return Array.from({ length: count }, (_, index) => Buffer.alloc(size, index % 251));
}

describe('BodyCollector', () => {
  it('keeps a one-chunk body by reference', () => {
    const collector = new BodyCollector(1024);
    const chunk = Buffer.from('hello');
    collector.push(chunk);
    expect(collector.bytes()).toBe(chunk);
    expect([collector.size, collector.truncated]).toEqual([5, false]);
  });

  it('keeps exactly the bytes seen, with and without a declared length, growing past its first guess', () => {
    for (const expected of [undefined, 300 * 1000, 10]) {
      const parts = chunks(300, 1000);
      const collector = new BodyCollector(1 << 20, expected);
      for (const part of parts) collector.push(part);
      const bytes = collector.bytes();
      expect(bytes.equals(Buffer.concat(parts))).toBe(true);
      // A buffer of its own size: a structured clone of it copies nothing more.
      expect(bytes.buffer.byteLength).toBe(bytes.length);
      expect([collector.size, collector.truncated]).toEqual([300_000, false]);
    }
  });

  it('stops at the cap, counts the rest, and holds no reference to chunks past it', () => {
    const parts = chunks(50, 1000);
    const collector = new BodyCollector(10_500, 50_000);
    for (const part of parts) collector.push(part);
    const bytes = collector.bytes();
    expect(bytes.equals(Buffer.concat(parts).subarray(0, 10_500))).toBe(true);
    expect([collector.size, collector.truncated]).toEqual([50_000, true]);
    expect(parts.some((part) => part.buffer === bytes.buffer)).toBe(false);
  });

  it('copies a first chunk that crosses the cap instead of keeping the whole chunk alive', () => {
    const big = Buffer.alloc(64 * 1024, 7);
    const collector = new BodyCollector(100);
    collector.push(big);
    expect(collector.bytes()).toEqual(Buffer.alloc(100, 7));
    expect(collector.bytes().buffer).not.toBe(big.buffer);
    expect(collector.truncated).toBe(true);
  });

  it('counts only when the limit is 0', () => {
    const collector = new BodyCollector(0, 5000);
    for (const part of chunks(5, 1000)) collector.push(part);
    expect([collector.bytes().length, collector.size, collector.truncated]).toEqual([0, 5000, true]);
  });
});

describe('declaredLength', () => {
  it('reads one decimal Content-Length and nothing else', () => {
    expect([declaredLength('1024'), declaredLength('0'), declaredLength(undefined), declaredLength('1, 2'), declaredLength(['1', '2']), declaredLength('-1')]).toEqual([1024, 0, undefined, undefined, undefined, undefined]);
  });
});
