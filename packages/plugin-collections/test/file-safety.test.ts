import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CaptureError } from '@capture/core';
import type { TestProxy } from '@capture/core/testing';
import { readCollection, requestsOf, shapeOf, startCollectionsProxy } from './helpers/collection.js';
import { curl } from './helpers/curl.js';
import { runNewman } from './helpers/newman.js';
import { startRecordingOrigin, type RecordingOrigin } from './helpers/origin.js';
import { schemaErrors } from './helpers/schema.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

const V21 = 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json';

let origin: RecordingOrigin;
let proxy: TestProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await origin?.close();
  cleanupAll();
});

/** The default file of collection `Demo` in a data folder. */
const demoFile = (home: string) => path.join(home, 'collections', 'demo.postman_collection.json');

/** A collection as a person might have it after editing it in Postman: variables, auth, scripts, notes, folders. */
function userCollection(originUrl: string, port: number) {
  return {
    info: { _postman_id: '0b1c2d3e-4f50-4617-8899-aabbccddeeff', name: 'Demo (my edits)', description: 'my notes', schema: V21 },
    auth: { type: 'bearer', bearer: [{ key: 'token', value: '{{token}}', type: 'string' }] },
    event: [{ listen: 'test', script: { type: 'text/javascript', exec: ['pm.test("ok", () => pm.response.to.be.success);'] } }],
    variable: [{ key: 'token', value: 'abc' }],
    item: [
      {
        name: `127.0.0.1:${port}`,
        description: 'the API',
        item: [{ name: 'My hand-written request', request: { method: 'GET', header: [{ key: 'X-Mine', value: '1' }], url: `${originUrl}/mine` }, response: [] }],
      },
      { name: 'Standalone', request: { method: 'GET', header: [], url: `${originUrl}/standalone` }, response: [] },
    ],
  };
}

describe('an existing collection', () => {
  it('gets new requests appended, in its own folders, with everything the user changed kept (before and during capture)', async () => {
    origin = await startRecordingOrigin();
    const home = tempDir();
    mkdirSync(path.join(home, 'collections'));
    writeFileSync(demoFile(home), JSON.stringify(userCollection(origin.url, origin.port), null, 2));
    const started = await startCollectionsProxy(home, { name: 'Demo', groupBy: 'domain', flushInterval: 10_000 });
    proxy = started;
    expect(started.file).toBe(demoFile(home));
    await curl(started.port, [`${origin.url}/users/1`]);
    await vi.waitFor(() => expect(started.api.pending).toBe(1));
    await started.api.flush();

    // While capture runs, the user renames a request and adds a variable in an editor (an in-place write).
    const edited = readCollection(started.file);
    edited.item[1]!.name = 'Standalone (renamed)';
    (edited.variable as unknown[]).push({ key: 'added', value: 'while running' });
    writeFileSync(started.file, JSON.stringify(edited));

    await curl(started.port, [`${origin.url}/users/2`]);
    await started.close();
    proxy = undefined;

    const collection = readCollection(started.file);
    expect(schemaErrors(collection)).toEqual([]);
    const original = userCollection(origin.url, origin.port);
    expect(collection.info).toEqual(original.info);
    expect(collection.auth).toEqual(original.auth);
    expect(collection.event).toEqual(original.event);
    expect(collection.variable).toEqual([{ key: 'token', value: 'abc' }, { key: 'added', value: 'while running' }]);
    expect(shapeOf(collection.item)).toEqual([{ [`127.0.0.1:${origin.port}`]: ['My hand-written request', 'GET /users/1', 'GET /users/2'] }, 'Standalone (renamed)']);
    expect(collection.item[0]!.description).toBe('the API');
    expect(collection.item[0]!.item![0]!.request!.header).toEqual([{ key: 'X-Mine', value: '1' }]);

    // The merged collection still runs, the user's test script included.
    const run = await runNewman(collection);
    expect(run.failures).toEqual([]);
    expect(run.codes).toEqual([200, 200, 200, 200]);
  });

  it.each([
    ['not JSON', '{"info": {"name": "Demo", \n oops', /is not valid JSON \(.+\)/],
    ['a v2.0 collection', JSON.stringify({ info: { name: 'Old', schema: 'https://schema.getpostman.com/json/collection/v2.0.0/collection.json' }, item: [] }), /is a Postman Collection v2\.0\.0, not v2\.1\.0/],
    ['a HAR file', JSON.stringify({ log: { version: '1.2', entries: [] } }), /is not a Postman collection \(it has no "info" object\)/],
    ['an empty file', '', /is not valid JSON/],
  ])('that is %s stops the start with one line naming it, and is never touched', async (_kind, content, problem) => {
    const home = tempDir();
    mkdirSync(path.join(home, 'collections'));
    const file = demoFile(home);
    writeFileSync(file, content);
    const before = statSync(file);
    const error = await startCollectionsProxy(home, { name: 'Demo' }).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(CaptureError);
    const message = (error as CaptureError).message;
    expect(message).toMatch(problem);
    expect(message.startsWith(`collections: ${file} `)).toBe(true);
    expect(message.endsWith('capture left it untouched: fix it, move it away, or save to another collection')).toBe(true);
    expect(message).not.toContain('\n');
    expect((error as CaptureError).code).toBe('COLLECTION_INVALID');
    expect(readFileSync(file, 'utf8')).toBe(content);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    expect(readdirSync(path.dirname(file))).toEqual([path.basename(file)]);
  });

  it('that breaks while capturing is not overwritten: the requests wait, the problem is reported once, and they are written once it is fixed', async () => {
    origin = await startRecordingOrigin();
    const home = tempDir();
    const started = await startCollectionsProxy(home, { name: 'Demo', flushInterval: 10_000 });
    proxy = started;
    const errors: CaptureError[] = [];
    started.proxy.hooks.onError.tap('test', (error) => void errors.push(error));
    const good = readFileSync(started.file, 'utf8');
    writeFileSync(started.file, '{ half-saved');

    await curl(started.port, [`${origin.url}/a`]);
    await vi.waitFor(() => expect(started.api.pending).toBe(1));
    await started.api.flush();
    await curl(started.port, [`${origin.url}/b`]);
    await vi.waitFor(() => expect(started.api.pending).toBe(2));
    await started.api.flush();
    expect(readFileSync(started.file, 'utf8')).toBe('{ half-saved');
    expect(errors.map((error) => error.message)).toEqual([
      expect.stringMatching(/^collections: .*demo\.postman_collection\.json is not valid JSON .*; 1 captured request\(s\) wait and are written once it is fixed$/),
    ]);

    writeFileSync(started.file, good);
    await started.api.flush();
    expect(started.api.pending).toBe(0);
    expect(shapeOf(readCollection(started.file).item)).toEqual(['GET /a', 'GET /b']);
  });
});

describe('writing', () => {
  it('is debounced: a request waits for the flush interval, and closing writes it at once', async () => {
    origin = await startRecordingOrigin();
    const home = tempDir();
    const started = await startCollectionsProxy(home, { name: 'Demo', flushInterval: 10_000 });
    proxy = started;
    await curl(started.port, [`${origin.url}/first`]);
    await vi.waitFor(() => expect(started.api.pending).toBe(1));
    // Within the interval nothing is written: the file still holds the empty collection of the start.
    expect(readCollection(started.file).item).toEqual([]);
    await started.close();
    proxy = undefined;
    expect(shapeOf(readCollection(started.file).item)).toEqual(['GET /first']);
  });

  it('writes within the interval while capturing, without waiting for close', async () => {
    origin = await startRecordingOrigin();
    const home = tempDir();
    const started = await startCollectionsProxy(home, { name: 'Demo', flushInterval: 50 });
    proxy = started;
    for (const n of [1, 2, 3]) await curl(started.port, [`${origin.url}/n/${n}`]);
    await vi.waitFor(() => expect(requestsOf(readCollection(started.file).item)).toHaveLength(3), { timeout: 5000, interval: 20 });
  });

  it('the data folder removed while capturing: one clear message, proxying goes on, and the requests after it are written to a new file', async () => {
    origin = await startRecordingOrigin();
    const home = tempDir();
    const started = await startCollectionsProxy(home, { name: 'Demo', flushInterval: 50 });
    proxy = started;
    const errors: CaptureError[] = [];
    started.proxy.hooks.onError.tap('test', (error) => void errors.push(error));
    await curl(started.port, [`${origin.url}/before`]);
    await vi.waitFor(() => expect(requestsOf(readCollection(started.file).item)).toHaveLength(1), { timeout: 5000, interval: 20 });
    rmSync(home, { recursive: true, force: true });
    for (const n of [1, 2, 3]) await curl(started.port, [`${origin.url}/after/${n}`]);
    await vi.waitFor(() => expect(existsSync(started.file) && requestsOf(readCollection(started.file).item)).toHaveLength(3), { timeout: 5000, interval: 20 });
    await curl(started.port, [`${origin.url}/after/4`]);
    await started.close();
    proxy = undefined;
    expect(shapeOf(requestsOf(readCollection(started.file).item))).toEqual(['GET /after/1', 'GET /after/2', 'GET /after/3', 'GET /after/4']);
    expect(errors.map((error) => error.code)).toEqual(['COLLECTION_FILE_REMOVED']);
    expect(errors[0]!.message).toContain(`${started.file} was removed while capturing`);
    expect(statSync(path.dirname(started.file)).mode & 0o777).toBe(0o700);
  });

  it('creates a new collection file, in the data folder by the slug of its name or where `file` says', async () => {
    const home = tempDir();
    const named = await startCollectionsProxy(home, { name: 'My App: Staging!' });
    await named.close();
    const file = path.join(home, 'collections', 'my-app-staging.postman_collection.json');
    expect(named.file).toBe(file);
    const created = readCollection(file);
    expect(created.info).toEqual({ _postman_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/), name: 'My App: Staging!', description: 'Requests captured with the capture proxy.', schema: V21 });
    expect(created.item).toEqual([]);
    expect(readFileSync(file, 'utf8').startsWith('{\n\t"info": {')).toBe(true);

    const elsewhere = path.join(tempDir(), 'nested', 'app.postman_collection.json');
    const custom = await startCollectionsProxy(home, { name: 'Elsewhere', file: elsewhere });
    await custom.close();
    expect(custom.file).toBe(elsewhere);
    expect(readCollection(elsewhere).info.name).toBe('Elsewhere');
  });

  it('keeps the id and name of the file across restarts, appending to it', async () => {
    origin = await startRecordingOrigin();
    const home = tempDir();
    const first = await startCollectionsProxy(home, { name: 'Demo' });
    await curl(first.port, [`${origin.url}/one`]);
    await first.close();
    const id = readCollection(first.file).info._postman_id;
    const second = await startCollectionsProxy(home, { name: 'Demo' });
    await curl(second.port, [`${origin.url}/two`]);
    await second.close();
    const collection = readCollection(second.file);
    expect(collection.info._postman_id).toBe(id);
    expect(shapeOf(collection.item)).toEqual(['GET /one', 'GET /two']);
  });

  it('saves a request that got no response, saying why', async () => {
    const home = tempDir();
    const closed = await startRecordingOrigin();
    const deadUrl = closed.url;
    await closed.close();
    const started = await startCollectionsProxy(home, { name: 'Demo', saveResponses: true });
    proxy = started;
    await curl(started.port, [`${deadUrl}/gone`]).catch(() => undefined);
    await started.close();
    proxy = undefined;
    const [entry] = requestsOf(readCollection(started.file).item);
    expect(entry!.name).toBe('GET /gone');
    expect(entry!.response).toEqual([]);
    expect(entry!.request!.description).toMatch(/^capture saw no response: .+\.$/);
  });

  it('removes temporary files a killed writer left, and leaves those of a running one', async () => {
    const home = tempDir();
    const folder = path.join(home, 'collections');
    mkdirSync(folder);
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    const stale = path.join(folder, `.demo.postman_collection.json.${deadPid}.0.tmp`);
    const live = path.join(folder, `.demo.postman_collection.json.${process.pid}.999.tmp`);
    writeFileSync(stale, '{"half');
    writeFileSync(live, '{"half');
    const started = await startCollectionsProxy(home, { name: 'Demo' });
    await started.close();
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);
  });
});
