import { rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CaptureError } from '@capture/core';
import { fillDisk, mountTmpfs, requestThroughProxy, startOrigin, startProxy, tmpfsUnavailable, unmountAllTmpfs, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history from '../src/index.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
  unmountAllTmpfs();
});

/** Response bodies: large enough that a few fill what the full disk has left. */
const BODY = 8 * 1024;

/** Opens the database as another process would: its integrity and what it holds. */
function inspect(file: string): { integrity: string; rows: Array<{ url: string; size: number }> } {
  const db = new Database(file, { readonly: true });
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      rows: db.prepare('SELECT url, length(response_body) AS size FROM exchanges ORDER BY id').all() as Array<{ url: string; size: number }>,
    };
  } finally {
    db.close();
  }
}

describe('history on a full disk', () => {
  it.skipIf(tmpfsUnavailable() !== undefined)(
    `keeps proxying, says once that history cannot be written, keeps what fits intact, and resumes when space returns${tmpfsUnavailable() ? ` (skipped: ${tmpfsUnavailable()})` : ''}`,
    async () => {
      const dataDir = mountTmpfs(2 * 1024 * 1024);
      origin = await startOrigin((req, res) => {
        req.resume();
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(Buffer.alloc(BODY, 0x72));
      });
      const plugin = history({ flushInterval: 10 });
      proxy = await startProxy({ dataDir, plugins: [plugin] });
      const api = plugin.api!;
      const errors: CaptureError[] = [];
      proxy.proxy.hooks.onError.tap('test', (error) => void errors.push(error));
      const file = path.join(dataDir, 'history.db');
      const send = async (name: string) => {
        const res = await requestThroughProxy(proxy!.port, `${origin!.url}/${name}`);
        expect(res.status).toBe(200);
        expect(res.body.length).toBe(BODY);
        // Each exchange in its own batch, so the first that does not fit is the first that fails.
        await api.flush();
      };

      for (let i = 0; i < 5; i++) await send(`before/${i}`);
      expect(inspect(file).rows.map((row) => row.url)).toEqual([0, 1, 2, 3, 4].map((i) => `${origin!.url}/before/${i}`));

      const filler = fillDisk(dataDir);
      // SQLite may still have room in its WAL and free pages: capture until a write fails (bounded).
      let sent = 0;
      while (!errors.some((error) => error.code === 'HISTORY_WRITE_FAILED') && sent < 500) await send(`full/${sent++}`);
      expect(errors.map((error) => error.code)).toEqual(['HISTORY_WRITE_FAILED']);
      expect(errors[0]!.message).toMatch(/cannot write to \S+history\.db \(.*(full|space).*\); 1 exchange\(s\) not saved, capturing goes on/i);
      // The disk stays full: proxying goes on, and nothing more is said.
      for (let i = 0; i < 10; i++) await send(`still-full/${i}`);
      expect(errors).toHaveLength(1);

      // What fitted is intact, each exchange whole, and none of those that did not fit is half there.
      const full = inspect(file);
      expect(full.integrity).toBe('ok');
      expect(full.rows.slice(0, 5).map((row) => new URL(row.url).pathname)).toEqual([0, 1, 2, 3, 4].map((i) => `/before/${i}`));
      expect(full.rows.every((row) => row.size === BODY)).toBe(true);
      expect(full.rows.some((row) => row.url.includes('/still-full/'))).toBe(false);

      rmSync(filler);
      for (let i = 0; i < 3; i++) await send(`after/${i}`);
      await vi.waitFor(() => expect(errors.map((error) => error.code)).toEqual(['HISTORY_WRITE_FAILED', 'HISTORY_WRITE_RESUMED']));
      expect(errors[1]!.message).toMatch(/writing to \S+history\.db again: 1 new exchange\(s\) saved since; \d+ exchange\(s\) captured while it could not be written were not saved/);
      const dropped = Number(/; (\d+) exchange\(s\) captured while/.exec(errors[1]!.message)![1]);
      expect(dropped).toBeGreaterThanOrEqual(11);

      await proxy.close();
      proxy = undefined;
      const after = inspect(file);
      expect(after.integrity).toBe('ok');
      expect(after.rows.filter((row) => row.url.includes('/after/')).map((row) => new URL(row.url).pathname)).toEqual(['/after/0', '/after/1', '/after/2']);
      expect(after.rows.every((row) => row.size === BODY)).toBe(true);
      // Every exchange is either stored or counted as not saved.
      expect(after.rows.length + dropped).toBe(5 + sent + 10 + 3);
    },
    60_000,
  );
});
