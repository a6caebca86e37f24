import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import SwaggerParser from '@apidevtools/swagger-parser';
import { requestThroughProxy, startProxy, type TestOrigin } from '@capture/core/testing';
import history from '@capture/plugin-history';
import openapi, { type OpenApiDocument } from '@capture/plugin-openapi';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCliProcess } from './helpers/cli-process.js';
import { startShopOrigin } from './helpers/shop-origin.js';

const BEARER = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJlMmUifQ.ZTJlLXNpZ25hdHVyZS12YWx1ZQ';
const ORDER = '3f6c2a9e-8b1d-4c7a-9e2f-5d4b3a2c1e0f';

let folder: string;
let dataDir: string;
let origin: TestOrigin;

/** Records traffic into a real history database through a real proxy on 127.0.0.1. */
async function record(): Promise<void> {
  const proxy = await startProxy({ dataDir, plugins: [history({ saveResponses: true })] });
  const auth = { Authorization: `Bearer ${BEARER}`, Accept: 'application/json' };
  try {
    await requestThroughProxy(proxy.port, `${origin.url}/api/users?page=1`, { headers: auth });
    await requestThroughProxy(proxy.port, `${origin.url}/api/users?page=2`, { headers: auth });
    await requestThroughProxy(proxy.port, `${origin.url}/api/users/1`, { headers: auth });
    await requestThroughProxy(proxy.port, `${origin.url}/api/users/2`, { headers: auth });
    await requestThroughProxy(proxy.port, `${origin.url}/api/users/9`, { headers: auth });
    await requestThroughProxy(proxy.port, `${origin.url}/api/users/1/orders/${ORDER}`, { headers: auth });
    await requestThroughProxy(proxy.port, `${origin.url}/api/users`, { method: 'POST', headers: { ...auth, 'Content-Type': 'application/json' }, body: '{"name":"Cleo","email":"cleo@acme-shop.test"}' });
    await requestThroughProxy(proxy.port, `${origin.url}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'user=ann&password=p4ssw0rd-e2e' });
  } finally {
    await proxy.close();
  }
}

/** Runs the built `capture ARGS` as a child process in the temporary folder, with its data folder. */
async function capture(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return runCliProcess(args, { cwd: folder, env: { CAPTURE_HOME: dataDir } });
}

beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'capture-openapi-'));
  dataDir = path.join(folder, 'data');
  origin = await startShopOrigin();
});

afterEach(async () => {
  await origin.close();
  await rm(folder, { recursive: true, force: true });
});

describe('capture openapi (a default command), through the CLI and a real history', () => {
  it('writes a valid, templated document without secrets, the same bytes twice, and merges', async () => {
    await record();
    const file = path.join(folder, 'openapi.yaml');
    const first = await capture(['openapi', '-o', file, '--title', 'Acme shop']);
    expect(first.stderr).toMatch(/openapi: \d+ operations on \d+ paths from 8 exchanges written to/);
    expect(first.code).toBe(0);
    const text = await readFile(file, 'utf8');
    const document = parse(text) as OpenApiDocument;
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeTruthy();
    expect(document.info.title).toBe('Acme shop');
    expect(Object.keys(document.paths)).toEqual(['/api/login', '/api/users', '/api/users/{userId}', '/api/users/{userId}/orders/{orderId}']);
    expect(Object.keys(document.paths['/api/users/{userId}']!.get!.responses)).toEqual(['200', '404']);
    expect(document.servers).toEqual([{ url: origin.url }]);
    expect(text).not.toContain(BEARER);
    expect(text).not.toContain('p4ssw0rd-e2e');
    expect(text).not.toContain('bG9naW4tdG9rZW4tc2ln');

    const stdout = await capture(['openapi', '--title', 'Acme shop']);
    expect(stdout.code).toBe(0);
    expect(stdout.stdout).toBe(text);

    // The user documents an operation, then more traffic arrives and is merged in.
    const edited = text.replace('operationId: getApiUsersByUserId', 'operationId: getApiUsersByUserId\n      description: Looks a user up by number.');
    await writeFile(file, edited);
    const json = await capture(['openapi', '--method', 'GET', '--format', 'json', '--openapi', '3.0', '-o', path.join(folder, 'get.json')]);
    expect(json.code).toBe(0);
    const gets = JSON.parse(await readFile(path.join(folder, 'get.json'), 'utf8')) as OpenApiDocument;
    expect(gets.openapi).toBe('3.0.3');
    expect(gets.paths['/api/login']).toBeUndefined();

    const merged = await capture(['openapi', '--merge', file]);
    expect(merged.code).toBe(0);
    expect(merged.stderr).toContain(`openapi: merged into ${file}: 0 new operations`);
    const after = parse(await readFile(file, 'utf8')) as OpenApiDocument;
    expect(after.paths['/api/users/{userId}']!.get!.description).toBe('Looks a user up by number.');
  });

  it('fails with one clear line without history, and on an empty history', async () => {
    const empty = await capture(['openapi']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('openapi: no exchanges in history match');

    const [command] = openapi().commands!;
    await expect(
      command!.run!({ args: [], options: {}, context: { dataDir, stdout: new PassThrough(), stderr: new PassThrough(), isTTY: false, interactive: false, confirm: async () => false, plugin: () => undefined } }),
    ).rejects.toThrow('openapi: needs the history plugin');

    const usage = await capture(['openapi', '--status', 'nope']);
    expect(usage.stderr).toBe('capture: --status expects a status code or class such as 404 or 4xx, got "nope"\n');
    expect(usage.code).toBe(2);
  });
});
