import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TestProxy } from '@capture/core/testing';
import type { GroupLevel } from '../src/index.js';
import { readCollection, requestsOf, shapeOf, startCollectionsProxy, type Shape } from './helpers/collection.js';
import { curl } from './helpers/curl.js';
import { runNewman } from './helpers/newman.js';
import { startRecordingOrigin, type RecordingOrigin } from './helpers/origin.js';
import { schemaErrors } from './helpers/schema.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

let origin: RecordingOrigin;
let proxy: TestProxy | undefined;

beforeEach(async () => {
  origin = await startRecordingOrigin();
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await origin.close();
  cleanupAll();
});

/** The same traffic for every grouping: two hosts (127.0.0.1 and localhost, same port), ids in paths, a JSON post. */
async function sendTraffic(port: number): Promise<void> {
  const ip = `http://127.0.0.1:${origin.port}`;
  const local = `http://localhost:${origin.port}`;
  await curl(port, [`${ip}/users/42`]);
  await curl(port, [`${ip}/users/7`]);
  await curl(port, ['-H', 'Content-Type: application/json', '--data-binary', '{"name":"ann"}', `${local}/users`]);
  await curl(port, [`${local}/`]);
  await curl(port, [`${ip}/users/42/posts?page=2`]);
}

function expectedShape(groupBy: GroupLevel[], port: number): Shape[] {
  const ip = `127.0.0.1:${port}`;
  const local = `localhost:${port}`;
  const [a, b, c, d, e] = ['GET /users/42', 'GET /users/7', 'POST /users', 'GET /', 'GET /users/42/posts'];
  if (!groupBy.length) return [a, b, c, d, e];
  if (groupBy.length === 2) return [{ [ip]: [{ '/users/:id': [a, b] }, { '/users/:id/posts': [e] }] }, { [local]: [{ '/users': [c] }, { '/': [d] }] }];
  if (groupBy[0] === 'domain') return [{ [ip]: [a, b, e] }, { [local]: [c, d] }];
  return [{ '/users/:id': [a, b] }, { '/users': [c] }, { '/': [d] }, { '/users/:id/posts': [e] }];
}

const groupings: Array<[string, GroupLevel[]]> = [
  ['none', []],
  ['domain', ['domain']],
  ['endpoint', ['endpoint']],
  ['domain,endpoint', ['domain', 'endpoint']],
];

describe.each(groupings)('grouped by %s', (groupBy, levels) => {
  it.each([false, true])('saves every request in the guide\'s folders (saveResponses: %s), valid and runnable by newman', async (saveResponses) => {
    const home = tempDir();
    const started = await startCollectionsProxy(home, { name: 'Grouping', groupBy, saveResponses });
    proxy = started;
    await sendTraffic(started.port);
    await started.close();
    proxy = undefined;

    const collection = readCollection(started.file);
    expect(schemaErrors(collection)).toEqual([]);
    expect(collection.info.name).toBe('Grouping');
    expect(shapeOf(collection.item)).toEqual(expectedShape(levels, origin.port));

    const requests = requestsOf(collection.item);
    for (const entry of requests) {
      if (!saveResponses) {
        expect(entry.response).toEqual([]);
        continue;
      }
      expect(entry.response).toHaveLength(1);
      const [example] = entry.response!;
      expect(example!.code).toBe(entry.request!.method === 'POST' ? 201 : 200);
      expect(example!.status).toBe(entry.request!.method === 'POST' ? 'Created' : 'OK');
      expect(example!._postman_previewlanguage).toBe('json');
      expect(example!.header).toContainEqual({ key: 'Content-Type', value: 'application/json' });
      expect(JSON.parse(example!.body!)).toMatchObject({ method: entry.request!.method, url: new URL(entry.request!.url.raw).pathname + new URL(entry.request!.url.raw).search });
      expect(example!.originalRequest).toEqual(entry.request);
    }

    // newman sends exactly the captured requests, in the collection's order, and each succeeds.
    const captured = origin.received.slice();
    const from = origin.received.length;
    const run = await runNewman(collection);
    expect(run.failures).toEqual([]);
    expect(run.codes.every((code) => code !== undefined && code >= 200 && code < 300)).toBe(true);
    const replayed = origin.since(from).map((request) => [request.method, request.headers.host, request.url, request.body.toString()]);
    const byOrder = requests.map((entry) => captured.find((request) => request.method === entry.request!.method && `http://${request.headers.host}${request.url}` === entry.request!.url.raw)!);
    expect(replayed).toEqual(byOrder.map((request) => [request.method, request.headers.host, request.url, request.body.toString()]));
  });
});
