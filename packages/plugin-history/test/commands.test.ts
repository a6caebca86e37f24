import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CommandContext } from '@capture/core';
import { runClear } from '../src/commands/clear.js';
import { runList } from '../src/commands/list.js';
import { runShow } from '../src/commands/show.js';
import { runInProcess } from './helpers/in-process.js';
import { runCapture } from './helpers/cli.js';
import { populateHistory, startRecordingOrigin } from './helpers/populate.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

let home: string;
let origin: Awaited<ReturnType<typeof startRecordingOrigin>>;

beforeAll(async () => {
  origin = await startRecordingOrigin();
  home = tempDir('capture-history-commands-');
  await populateHistory(home, origin);
  await origin.close();
  return () => cleanupAll();
});

const capture = (...args: string[]) => runCapture(args, { home });
/** `history list --json` with filter options, run in this process. */
const listJson = async (options: Record<string, string> = {}) => {
  const result = await runInProcess(runList, home, { ...options, json: true });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Array<{ id: number; method: string; url: string; status: number | null; host: string }>;
};

describe('capture history list', () => {
  it('names the history file it read when that holds nothing, and says only "no match" when a filter finds nothing', async () => {
    const emptyHome = tempDir('capture-history-empty-');
    const empty = await runInProcess(runList, emptyHome, {});
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toBe(`no exchanges in history: ${path.join(emptyHome, 'history.db')} holds none (a proxy started with another CAPTURE_HOME or dataDir keeps its own)\n`);
    const unmatched = await runInProcess(runList, home, { host: 'nowhere.test' });
    expect(unmatched.code).toBe(0);
    expect(unmatched.stderr).toBe('no exchanges in history match\n');
  });

  it('prints a readable table, newest first', async () => {
    const result = await capture('history', 'list');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^ID\s+TIME\s+METHOD\s+STATUS\s+HOST\s+PATH\s+SIZE\s+DURATION$/);
    expect(lines.slice(1).map((line) => line.trim().split(/\s+/)[0])).toEqual(['5', '4', '3', '2', '1']);
    expect(lines[2]).toMatch(/^\s*4\s+\d\d:\d\d:\d\d\s+DELETE\s+404\s+localhost:\d+\s+\/api\/users\/7\s+24 B\s+\d+ ms$/);
    expect(lines[5]).toContain('/api/users?page=2');
  });

  it('filters by method, status, host, search, since and limit', async () => {
    const ids = async (options: Record<string, string>) => (await listJson(options)).map((entry) => entry.id);
    expect(await ids({ method: 'post' })).toEqual([5, 2]);
    expect(await ids({ method: 'GET,DELETE' })).toEqual([4, 3, 1]);
    expect(await ids({ status: '4xx' })).toEqual([4]);
    expect(await ids({ status: '200' })).toEqual([5, 3, 2, 1]);
    expect(await ids({ host: 'localhost' })).toEqual([4, 2]);
    // Bodies are searched as bytes (case-sensitive); URLs in any case.
    expect(await ids({ search: 'S%26CRET' })).toEqual([]);
    expect(await ids({ search: 'API/USERS' })).toEqual([4, 1]);
    expect(await ids({ search: 's%26cret' })).toEqual([2]);
    expect(await ids({ search: 'no such user' })).toEqual([4]);
    expect(await ids({ since: '1h' })).toEqual([5, 4, 3, 2, 1]);
    expect(await ids({ since: '2999-01-01' })).toEqual([]);
    expect(await ids({ limit: '2' })).toEqual([5, 4]);
    expect(await ids({ method: 'GET', host: '127.0.0.1', search: 'users' })).toEqual([1]);
    const [first] = await listJson({ limit: '1', method: 'DELETE' });
    expect(first).toMatchObject({ id: 4, method: 'DELETE', status: 404, size: 24 });
    // Through the CLI, flags reach the same filters.
    const viaCli = await capture('history', 'list', '--json', '--method', 'post', '--limit', '1');
    expect(JSON.parse(viaCli.stdout).map((entry: { id: number }) => entry.id)).toEqual([5]);
  });

  it('rejects bad filter values with a usage error naming the flag', async () => {
    const status = await capture('history', 'list', '--status', '99');
    expect(status.code).toBe(2);
    expect(status.stderr).toContain('--status expects a status code or class such as 404 or 4xx, got "99"');
    await expect(runInProcess(runList, home, { since: 'yesterdayish' })).rejects.toThrow('--since expects');
    await expect(runInProcess(runList, home, { limit: '0' })).rejects.toThrow('--limit expects a number of at least 1, got "0"');
  });
});

describe('capture history show', () => {
  it('shows the whole exchange with JSON bodies pretty-printed', async () => {
    const result = await capture('history', 'show', '5');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^#5 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}from 127\.0\.0\.1\n/);
    expect(result.stdout).toContain(`POST ${origin.url}/api/items HTTP/1.1\n`);
    expect(result.stdout).toContain('{\n  "name": "it\'s a \\"pen\\"",\n  "tags": [\n    "a\\nb"\n  ]\n}');
    expect(result.stdout).toMatch(/HTTP\/1\.1 200 OK {2}\(\d+ ms, first byte after \d+ ms, \d+ B\)/);
    expect(result.stdout).toContain('Set-Cookie: session=abc; Path=/; HttpOnly');
  });

  it('summarises binary bodies', async () => {
    const result = await runInProcess(runShow, home, {}, ['3']);
    expect(result.stdout).toContain('(binary body, 9 B, image/png)');
  });

  it('prints JSON with --json, text bodies as text and binary ones as base64', async () => {
    const text = JSON.parse((await runInProcess(runShow, home, { json: true }, ['2'])).stdout) as { request: { body: { text: string } }; response: { statusCode: number } };
    expect(text.request.body.text).toBe('user=ann&pass=s%26cret');
    expect(text.response.statusCode).toBe(200);
    const binary = JSON.parse((await runInProcess(runShow, home, { json: true }, ['3'])).stdout) as { response: { body: { base64: string } } };
    expect(Buffer.from(binary.response.body.base64, 'base64')).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0xff]));
  });

  it('says so when there is no such exchange', async () => {
    const missing = await capture('history', 'show', '999');
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('capture: no exchange 999 in history (see "capture history list")');
    await expect(runInProcess(runShow, home, {}, ['abc'])).rejects.toMatchObject({ code: 'USAGE' });
  });
});

describe('capture history clear', () => {
  let clearHome: string;
  afterEach(() => cleanupAll());

  async function filled(): Promise<string> {
    const recording = await startRecordingOrigin();
    const dir = tempDir('capture-history-clear-');
    await populateHistory(dir, recording);
    await recording.close();
    return dir;
  }

  it('refuses without --yes when there is no terminal to ask on, and deletes nothing', async () => {
    clearHome = await filled();
    const refused = await runCapture(['history', 'clear'], { home: clearHome });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('add --yes to confirm');
    expect(JSON.parse((await runInProcess(runList, clearHome, { json: true })).stdout)).toHaveLength(5);
  });

  it('deletes everything with --yes', async () => {
    clearHome = await filled();
    const cleared = await runCapture(['history', 'clear', '--yes'], { home: clearHome });
    expect(cleared.code).toBe(0);
    expect(cleared.stderr).toContain('deleted 5 exchanges');
    expect(JSON.parse((await runInProcess(runList, clearHome, { json: true })).stdout)).toEqual([]);
  });

  it('asks first on a terminal and deletes only on yes', async () => {
    clearHome = await filled();
    const questions: string[] = [];
    const context = (answer: boolean): CommandContext => ({
      dataDir: clearHome,
      stdout: new PassThrough(),
      stderr: new PassThrough(),
      isTTY: true,
      interactive: true,
      confirm: async (question) => {
        questions.push(question);
        return answer;
      },
    });
    expect(await runClear({ args: [], options: {}, context: context(false) })).toBe(1);
    expect(questions).toEqual(['Delete all 5 exchanges from history?']);
    expect(JSON.parse((await runInProcess(runList, clearHome, { json: true })).stdout)).toHaveLength(5);
    expect(await runClear({ args: [], options: {}, context: context(true) })).toBe(0);
    expect(JSON.parse((await runInProcess(runList, clearHome, { json: true })).stdout)).toEqual([]);
  });
});
