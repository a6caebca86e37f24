import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { TestProxy } from '@capture/core/testing';
import { readCollection, requestsOf, shapeOf, startCollectionsProxy } from './helpers/collection.js';
import { schemaErrors } from './helpers/schema.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

// api.save: another plugin (the web view) saves chosen exchanges into a named collection.

let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  cleanupAll();
});

const exchange = (method: string, url: string, status: number) => ({
  request: { method, url, headers: [['Accept', 'application/json']] as Array<[string, string]> },
  response: { statusCode: status, statusMessage: 'OK', headers: [['Content-Type', 'application/json']] as Array<[string, string]>, body: { bytes: Buffer.from('{"a":1}') } },
  timings: { startedAt: Date.now(), total: 3 },
});

describe('collections api.save', () => {
  it('appends to a named collection file, creating it, in the plugin folders, and to the running collection by its own name', async () => {
    const dataDir = tempDir();
    const started = await startCollectionsProxy(dataDir, { name: 'Running', groupBy: 'domain', saveResponses: true });
    proxy = started;
    const first = await started.api.save('Picked Requests', [exchange('GET', 'http://a.test/users/1', 200), exchange('POST', 'http://b.test/items', 201)]);
    expect(first).toEqual({ file: path.join(dataDir, 'collections', 'picked-requests.postman_collection.json'), added: 2 });
    await started.api.save('Picked Requests', [exchange('DELETE', 'http://a.test/users/1', 204)]);
    const picked = readCollection(first.file);
    expect(schemaErrors(picked)).toEqual([]);
    expect(picked.info.name).toBe('Picked Requests');
    expect(shapeOf(picked.item)).toEqual([{ 'a.test': ['GET /users/1', 'DELETE /users/1'] }, { 'b.test': ['POST /items'] }]);
    expect(requestsOf(picked.item)[0]!.response?.[0]?.code).toBe(200);

    await started.api.save('Running', [exchange('GET', 'http://c.test/', 200)]);
    expect(shapeOf(readCollection(started.file).item)).toEqual([{ 'c.test': ['GET /'] }]);
  });

  it('refuses to write into a file that is not a collection, and leaves it as it is', async () => {
    const dataDir = tempDir();
    proxy = await startCollectionsProxy(dataDir, {});
    const broken = path.join(dataDir, 'collections', 'broken.postman_collection.json');
    writeFileSync(broken, '{ not json');
    await expect((proxy as Awaited<ReturnType<typeof startCollectionsProxy>>).api.save('broken', [exchange('GET', 'http://a.test/', 200)])).rejects.toThrow(/broken\.postman_collection\.json/);
    // The refusal names the plugin (core's PluginError) for whoever called the API.
    await expect((proxy as Awaited<ReturnType<typeof startCollectionsProxy>>).api.save('broken', [])).rejects.toThrow(/^collections: .*broken\.postman_collection\.json is not valid JSON/);
    expect(readCollection.bind(null, broken)).toThrow();
  });
});
