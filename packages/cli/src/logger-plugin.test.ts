import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import filters from '@capture/plugin-filters';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import { liveLog } from './logger-plugin.js';

let origin: TestOrigin | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
});

/** Runs three requests (captured, filtered, media) through a proxy with filters and the live log. */
async function logOf(hideSkipped: boolean) {
  origin = await startOrigin((req, res) => {
    res.writeHead(200, { 'Content-Type': req.url === '/pic' ? 'image/png' : 'application/json' });
    res.end('{}');
  });
  const out = new PassThrough();
  let text = '';
  out.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const log = liveLog({ format: 'text', out, err: out, colours: true, hideSkipped });
  proxy = await startProxy({ plugins: [filters({ exclude: ['/ads'] }), log] });
  const seen = () => log.counts.captured + log.counts.skipped;
  for (const path of ['/api', '/ads', '/pic']) {
    const before = seen();
    await requestThroughProxy(proxy.port, `${origin.url}${path}`);
    await expect.poll(seen).toBe(before + 1);
  }
  return { text, counts: log.counts };
}

describe('live log', () => {
  it('dims exchanges that are not captured and counts captured, filtered and media', async () => {
    const { text, counts } = await logOf(false);
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(3);
    // A dimmed line is wrapped whole: it opens with dim and closes it at its very end.
    const dimmedWhole = (line: string) => line.startsWith('\x1b[2m') && line.endsWith('\x1b[22m');
    expect(lines[0]).toContain('/api');
    expect(dimmedWhole(lines[0]!)).toBe(false);
    expect(lines[1]).toContain('/ads');
    expect(dimmedWhole(lines[1]!)).toBe(true);
    expect(lines[1]).toContain('(not captured: filtered: exclude)');
    expect(lines[2]).toContain('(media: body not captured)');
    expect(counts).toEqual({ captured: 2, skipped: 1, filtered: 1, media: 1, errors: 0, blind: 0 });
  });

  it('prints nothing for them with hideSkipped, still counting them', async () => {
    const { text, counts } = await logOf(true);
    expect(text).not.toContain('/ads');
    expect(text).toContain('/api');
    expect(text).toContain('/pic');
    expect(counts).toEqual({ captured: 2, skipped: 1, filtered: 1, media: 1, errors: 0, blind: 0 });
  });
});
