import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { requestThroughProxy, startOrigin, type TestOrigin } from '@capture/core/testing';
import { startCli, type CliProcess } from './helpers/cli-process.js';
import { startExample, type RunningExample } from './helpers/examples.js';

const execFileAsync = promisify(execFile);
const basic = fileURLToPath(new URL('../../../examples/basic/', import.meta.url));

let cli: CliProcess | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGKILL');
    await cli.exited;
  }
  await origin?.close();
});

describe('examples/basic', () => {
  it('starts from its capture.config.ts and proxies a request', async () => {
    origin = await startOrigin((_req, res) => res.end('hello from the origin'));
    // The example listens on 5555; the test overrides only the port so it never clashes.
    cli = startCli(['start', '--port', '0'], { cwd: basic, env: { CAPTURE_HOME: fileURLToPath(new URL('../.test-home/', import.meta.url)) } });
    const [, port] = await cli.waitFor(/listening on http:\/\/0\.0\.0\.0:(\d+)/);
    expect(cli.stdout()).toContain('capture.config.ts');
    const { stdout } = await execFileAsync('curl', ['-s', '-x', `http://127.0.0.1:${port}`, `${origin.url}/hi`]);
    expect(stdout).toBe('hello from the origin');
    await cli.waitFor(/GET 200 http:\/\/127\.0\.0\.1:\d+\/hi/);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});

describe('examples/mobile-app', () => {
  let running: RunningExample | undefined;
  afterEach(async () => {
    await running?.cleanup();
    running = undefined;
  });

  it('listens on every interface, prints the LAN address, serves the CA download page and saves responses', async () => {
    origin = await startOrigin((_req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end('{"feed":[1,2,3]}');
    });
    running = await startExample('mobile-app');
    const out = running.capture.stdout();
    expect(out).toMatch(/listening on http:\/\/0\.0\.0\.0:\d+/);
    // The address a phone types in: a LAN address, not loopback.
    const [, lanAddress] = (await running.capture.waitFor(/set the HTTP proxy of your device to (\S+):\d+/)) as RegExpMatchArray;
    expect(lanAddress).not.toMatch(/^127\./);
    // The download page and the certificate, as the phone's browser fetches them.
    const page = await fetch(`http://127.0.0.1:${running.port}/`);
    expect(await page.text()).toMatch(/\/ca\.crt/);
    const certificate = await fetch(`http://127.0.0.1:${running.port}/ca.crt`);
    expect(await certificate.text()).toContain('-----BEGIN CERTIFICATE-----');

    expect((await requestThroughProxy(running.port, `${origin.url}/api/feed`)).text).toBe('{"feed":[1,2,3]}');
    expect(await running.stop()).toBe(0);
    const exported = await running.run(['history', 'export', '--format', 'har']);
    const entries = (JSON.parse(exported.stdout) as { log: { entries: Array<{ request: { url: string }; response: { content: { text?: string } } }> } }).log.entries;
    expect(entries.map((entry) => entry.request.url)).toEqual([`${origin.url}/api/feed`]);
    expect(entries[0]!.response.content.text).toBe('{"feed":[1,2,3]}');
  });
});

describe('examples/api-collection', () => {
  let running: RunningExample | undefined;
  afterEach(async () => {
    await running?.cleanup();
    running = undefined;
  });

  it('saves a Postman collection grouped by domain and endpoint, with responses', async () => {
    origin = await startOrigin((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ path: req.url }));
    });
    running = await startExample('api-collection');
    await requestThroughProxy(running.port, `${origin.url}/users/1`);
    await requestThroughProxy(running.port, `${origin.url}/users/2`);
    await requestThroughProxy(running.port, `${origin.url}/orders`, { method: 'POST', body: '{"item":7}', headers: { 'content-type': 'application/json' } });
    expect(await running.stop()).toBe(0);
    interface Item { name: string; item?: Item[]; request?: { method: string }; response?: Array<{ code: number; body: string }> }
    const collection = JSON.parse(readFileSync(path.join(running.home, 'collections', 'my-api.postman_collection.json'), 'utf8')) as { info: { name: string }; item: Item[] };
    expect(collection.info.name).toBe('My API');
    // One folder for the domain, endpoint folders inside it, requests with their responses inside those.
    expect(collection.item).toHaveLength(1);
    const domain = collection.item[0]!;
    expect(domain.name).toContain('127.0.0.1');
    const endpoints = domain.item ?? [];
    expect(endpoints.every((endpoint) => Array.isArray(endpoint.item))).toBe(true);
    const requests = endpoints.flatMap((endpoint) => endpoint.item ?? []);
    expect(requests).toHaveLength(3);
    expect(endpoints.length).toBeGreaterThanOrEqual(2);
    const bodies = requests.flatMap((request) => request.response ?? []).map((response) => response.body).sort();
    expect(bodies).toEqual(['{"path":"/orders"}', '{"path":"/users/1"}', '{"path":"/users/2"}']);
  });
});
