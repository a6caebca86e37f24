import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import newman from 'newman';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Har } from 'har-format';
import type { PostmanCollection } from '@capture/postman-format';
import { runExport } from '../src/commands/export.js';
import { compileHarSchema } from './helpers/har.js';
import { runCapture } from './helpers/cli.js';
import { runInProcess } from './helpers/in-process.js';
import { compilePostmanSchema } from './helpers/postman.js';
import { populateHistory, startRecordingOrigin } from './helpers/populate.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

const exec = promisify(execFile);
let home: string;
let origin: Awaited<ReturnType<typeof startRecordingOrigin>>;

beforeAll(async () => {
  origin = await startRecordingOrigin();
  home = tempDir('capture-history-export-');
  await populateHistory(home, origin);
});
afterAll(async () => {
  await origin.close();
  cleanupAll();
});

const exportText = async (options: Record<string, unknown>) => {
  const result = await runInProcess(runExport, home, options);
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
};

/** The requests the origin received after `from`, without the ones made while populating. */
const receivedSince = (from: number) => origin.received.slice(from);

describe('HAR export', () => {
  it('is valid HAR 1.2 with timings, request data and saved response content, oldest first', async () => {
    const har = JSON.parse(await exportText({ format: 'har' })) as Har;
    const validate = compileHarSchema();
    expect(validate(har), JSON.stringify(validate.errors)).toBe(true);
    // The validator is strict enough to catch a broken entry, so the check above means something.
    expect(validate({ log: { ...har.log, entries: [{ ...har.log.entries[0], timings: {} }] } })).toBe(false);
    const { entries } = har.log;
    expect(har.log.version).toBe('1.2');
    expect(har.log.creator.name).toBe('capture');
    expect(entries.map((entry) => `${entry.request.method} ${new URL(entry.request.url).pathname}`)).toEqual([
      'GET /api/users',
      'POST /api/login',
      'GET /img.png',
      'DELETE /api/users/7',
      'POST /api/items',
    ]);
    const [users, login, image, deleted] = entries;
    expect(users!.request.queryString).toEqual([{ name: 'page', value: '2' }]);
    expect(users!.request.headers).toContainEqual({ name: 'X-Trace', value: 'first' });
    expect(users!.response.cookies).toEqual([{ name: 'session', value: 'abc', path: '/', httpOnly: true }]);
    expect(JSON.parse(users!.response.content.text!)).toMatchObject({ method: 'GET', path: '/api/users?page=2' });
    expect(users!.timings.wait + users!.timings.receive).toBeCloseTo(users!.time, 5);
    expect(login!.request.postData).toEqual({ mimeType: 'application/x-www-form-urlencoded', text: 'user=ann&pass=s%26cret' });
    expect(login!.request.cookies).toEqual([{ name: 'a', value: '1' }, { name: 'b', value: '2' }]);
    expect(image!.response.content).toMatchObject({ mimeType: 'image/png', encoding: 'base64', size: 9 });
    expect(Buffer.from(image!.response.content.text!, 'base64')).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0xff]));
    expect(deleted!.response.status).toBe(404);
  });

  it('exports selected ids to a file with -o through the CLI', async () => {
    const file = path.join(home, 'two.har');
    const result = await runCapture(['history', 'export', '--format', 'har', '--id', '2', '4', '-o', file], { home });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`exported 2 exchanges as har to ${file}`);
    const har = JSON.parse(readFileSync(file, 'utf8')) as Har;
    expect(har.log.entries.map((entry) => entry.request.method)).toEqual(['POST', 'DELETE']);
  });
});

describe('Postman export', () => {
  it('is a valid v2.1.0 collection that newman runs against the origin, sending the same requests', async () => {
    const collection = JSON.parse(await exportText({ format: 'postman', name: 'my capture' })) as PostmanCollection;
    const validate = compilePostmanSchema();
    expect(validate(collection), JSON.stringify(validate.errors)).toBe(true);
    expect(collection.info.name).toBe('my capture');
    expect(collection.item.map((item) => item.name)).toEqual(['GET /api/users', 'POST /api/login', 'GET /img.png', 'DELETE /api/users/7', 'POST /api/items']);
    const from = origin.received.length;
    const summary = await new Promise<newman.NewmanRunSummary>((resolve, reject) =>
      newman.run({ collection: collection as unknown as newman.NewmanRunOptions['collection'], reporters: [] }, (error, result) => (error ? reject(error) : resolve(result))),
    );
    expect(summary.run.failures).toEqual([]);
    expect(summary.run.executions.map((execution) => execution.response?.code)).toEqual([200, 200, 200, 404, 200]);
    const replayed = receivedSince(from);
    const captured = origin.received.slice(0, 5);
    expect(replayed.map((request) => [request.method, request.url, request.body])).toEqual(captured.map((request) => [request.method, request.url, request.body]));
    expect(replayed[0]!.headers['x-trace']).toBe('first');
    expect(replayed[1]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });
});

describe('curl export', () => {
  it('gives one command per request that sends the same request when run', async () => {
    const text = await exportText({ format: 'curl' });
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines.every((line) => line.startsWith('curl '))).toBe(true);
    const from = origin.received.length;
    for (const line of lines) await exec('bash', ['-c', `${line} --silent --show-error --output /dev/null`]);
    const replayed = receivedSince(from);
    const captured = origin.received.slice(0, 5);
    expect(replayed.map((request) => [request.method, request.url, request.body])).toEqual(captured.map((request) => [request.method, request.url, request.body]));
    expect(replayed[0]!.headers['x-trace']).toBe('first');
    expect(replayed[1]!.headers.cookie).toBe('a=1; b=2');
    expect(replayed[4]!.headers['content-type']).toBe('application/json');
  });
});
