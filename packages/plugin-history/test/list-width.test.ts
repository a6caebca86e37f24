import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestThroughProxy, startOrigin, startProxy } from '@capture/core/testing';
import history from '../src/index.js';
import { runList } from '../src/commands/list.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

const LONG = `/api/search?q=${'x'.repeat(180)}&page=2`;
let home: string;
beforeAll(async () => {
  home = tempDir('capture-history-width-');
  const origin = await startOrigin();
  const proxy = await startProxy({ dataDir: home, plugins: [history()] });
  await requestThroughProxy(proxy.port, `${origin.url}/short`);
  await requestThroughProxy(proxy.port, `${origin.url}${LONG}`);
  await proxy.close();
  await origin.close();
});
afterAll(() => cleanupAll());

/** `history list` as on a terminal `columns` wide (a stream with `columns`, as a tty.WriteStream has). */
async function listOn(columns: number, options: Record<string, unknown> = {}): Promise<string[]> {
  const stdout = Object.assign(new PassThrough(), { columns });
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const code = await runList({ args: [], options, context: { dataDir: home, stdout, stderr: new PassThrough(), isTTY: true, interactive: false, confirm: async () => false } });
  expect(code).toBe(0);
  return out.trimEnd().split('\n');
}

describe('capture history list and the terminal width', () => {
  it('cuts every row to the terminal columns, the path ending in an ellipsis', async () => {
    for (const columns of [80, 120]) {
      const lines = await listOn(columns);
      for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(columns);
      expect(lines[1]).toContain('/api/search?q=x');
      expect(lines[1]).toMatch(/…\s+\d+ B\s+\d+ ms$/);
      expect(lines[2]).toContain('/short');
    }
  });

  it('--wide prints the whole path however wide the terminal', async () => {
    const lines = await listOn(80, { wide: true });
    expect(lines[1]).toContain(LONG);
    expect(lines[1]!.length).toBeGreaterThan(80);
  });

  it('--json keeps the whole URL', async () => {
    const stdout = Object.assign(new PassThrough(), { columns: 40 });
    let out = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    await runList({ args: [], options: { json: true }, context: { dataDir: home, stdout, stderr: new PassThrough(), isTTY: true, interactive: false, confirm: async () => false } });
    expect((JSON.parse(out) as Array<{ url: string }>)[0]!.url.endsWith(LONG)).toBe(true);
  });
});
