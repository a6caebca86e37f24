import { copyFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history, { type HistoryApi } from '../src/index.js';
import { openHistoryDatabase } from '../src/database.js';
import { SCHEMA_VERSION } from '../src/schema.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

const FIXTURE = path.join(import.meta.dirname, 'fixtures', 'history-v1.db');
let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
  cleanupAll();
});

/** A data folder holding a copy of the version-1 fixture (the committed file is never opened for writing). */
function folderWithV1(): string {
  const dataDir = tempDir();
  copyFileSync(FIXTURE, path.join(dataDir, 'history.db'));
  return dataDir;
}

describe('migration', () => {
  it('opens a database of the first schema version, keeps its exchanges and fills the new columns', async () => {
    const dataDir = folderWithV1();
    origin = await startOrigin();
    const plugin = history();
    proxy = await startProxy({ dataDir, plugins: [plugin] });
    const api = plugin.api as HistoryApi;
    expect(api.list().map((summary) => [summary.id, summary.method, summary.host, summary.status])).toEqual([
      [3, 'DELETE', 'api.example.com', null],
      [2, 'POST', 'shop.example.org:8443', 201],
      [1, 'GET', 'api.example.com', 200],
    ]);
    expect(api.list({ host: 'example.org' }).map((summary) => summary.id)).toEqual([2]);
    const first = api.get(1)!;
    expect(first.response).toMatchObject({ statusCode: 200, httpVersion: '1.1' });
    expect(first.response!.body!.bytes.toString()).toBe('{"users":[{"id":1}]}');
    expect(first.request.headers).toEqual([['Host', 'api.example.com'], ['Accept', 'application/json']]);
    expect(api.get(3)!.response).toBeUndefined();
    // Rows from before trailers were stored read as having none.
    expect(first.request.trailers).toBeUndefined();
    expect(first.response!.trailers).toBeUndefined();
    await requestThroughProxy(proxy.port, `${origin.url}/after-migration`);
    await vi.waitFor(() => expect(api.list()[0]).toMatchObject({ id: 4, url: `${origin!.url}/after-migration` }));
    const db = new Database(path.join(dataDir, 'history.db'), { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(SCHEMA_VERSION).toBeGreaterThan(1);
    expect((db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' ORDER BY name").pluck().all() as string[])).toEqual(
      expect.arrayContaining(['exchanges_host', 'exchanges_method', 'exchanges_started_at', 'exchanges_status']),
    );
    const columns = (db.prepare('PRAGMA table_info(exchanges)').all() as Array<{ name: string }>).map((column) => column.name);
    expect(columns).toEqual(expect.arrayContaining(['request_trailers', 'response_trailers', 'http_version', 'response_http_version']));
    db.close();
  });

  it('refuses a database from a newer capture without touching it', () => {
    const dataDir = folderWithV1();
    const file = path.join(dataDir, 'history.db');
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openHistoryDatabase(file)).toThrow(/written by a newer capture \(schema version 99; this one knows up to \d+\)/);
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(99);
    expect(after.prepare('SELECT count(*) FROM exchanges').pluck().get()).toBe(3);
    after.close();
  });
});
