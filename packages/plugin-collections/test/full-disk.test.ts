import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CaptureError } from '@capture/core';
import { fillDisk, mountTmpfs, requestThroughProxy, tmpfsUnavailable, unmountAllTmpfs, type TestProxy } from '@capture/core/testing';
import { requestsOf, startCollectionsProxy, type ReadBack } from './helpers/collection.js';
import { startRecordingOrigin, type RecordingOrigin } from './helpers/origin.js';
import { schemaErrors } from './helpers/schema.js';

let origin: RecordingOrigin | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
  unmountAllTmpfs();
});

/** The collection file as it is on disk now: it must always parse. */
function onDisk(file: string): ReadBack {
  return JSON.parse(readFileSync(file, 'utf8')) as ReadBack;
}

describe('collections on a full disk', () => {
  it.skipIf(tmpfsUnavailable() !== undefined)(
    `keeps proxying, says once that the collection cannot be written, keeps the file valid, and writes what waited when space returns${tmpfsUnavailable() ? ` (skipped: ${tmpfsUnavailable()})` : ''}`,
    async () => {
      const home = mountTmpfs(1024 * 1024);
      origin = await startRecordingOrigin();
      // The longest interval: the test decides when each write happens (flush).
      const started = await startCollectionsProxy(home, { name: 'Demo', saveResponses: true, flushInterval: 10_000 });
      proxy = started;
      const errors: CaptureError[] = [];
      started.proxy.hooks.onError.tap('test', (error) => void errors.push(error));
      const send = async (name: string) => {
        const res = await requestThroughProxy(started.port, `${origin!.url}/${name}`);
        expect(res.status).toBe(200);
        // The exchange reaches the plugin after the response: wait for it to be queued, then write.
        await vi.waitFor(() => expect(started.api.pending).toBeGreaterThan(0));
        await started.api.flush();
      };
      const names = () => requestsOf(onDisk(started.file).item).map((entry) => entry.name);

      for (let i = 0; i < 3; i++) await send(`before/${i}`);
      expect(names()).toEqual(['GET /before/0', 'GET /before/1', 'GET /before/2']);

      const filler = fillDisk(home);
      for (let i = 0; i < 5; i++) await send(`full/${i}`);
      expect(errors.map((error) => error.code)).toEqual(['COLLECTION_WRITE_FAILED']);
      expect(errors[0]!.message).toMatch(/cannot write \S+demo\.postman_collection\.json \(ENOSPC: .+\); capturing goes on and the next write tries again/);
      // The file is as the last write that fitted left it: valid, whole, and no temporary file is left behind.
      const full = onDisk(started.file);
      expect(schemaErrors(full)).toEqual([]);
      expect(names()).toEqual(['GET /before/0', 'GET /before/1', 'GET /before/2']);
      expect(started.api.pending).toBe(5);
      expect(readdirSync(path.dirname(started.file)).filter((name) => name.endsWith('.tmp'))).toEqual([]);

      rmSync(filler);
      await send('after/0');
      expect(errors.map((error) => error.code)).toEqual(['COLLECTION_WRITE_FAILED', 'COLLECTION_WRITE_RESUMED']);
      expect(errors[1]!.message).toMatch(/writing \S+demo\.postman_collection\.json again: \d+ captured request\(s\) written since, those that waited included$/);
      await send('after/1');
      await started.close();
      proxy = undefined;
      const after = onDisk(started.file);
      expect(schemaErrors(after)).toEqual([]);
      expect(names()).toEqual([
        ...[0, 1, 2].map((i) => `GET /before/${i}`),
        ...[0, 1, 2, 3, 4].map((i) => `GET /full/${i}`),
        'GET /after/0',
        'GET /after/1',
      ]);
      expect(errors).toHaveLength(2);
    },
    60_000,
  );
});
