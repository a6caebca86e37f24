import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { requestThroughProxy, startOrigin, type TestOrigin } from '@capture/core/testing';
import { exampleDir, runExample, startExample, type RunningExample } from './helpers/examples.js';

// The custom-plugin examples, each started from its own capture.config.ts by the real CLI and
// proven with real requests through the proxy.

let example: RunningExample | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await example?.cleanup();
  await origin?.close();
  example = undefined;
  origin = undefined;
});

interface HarEntry {
  request: { url: string; headers: Array<{ name: string; value: string }> };
  response: { status: number; headers: Array<{ name: string; value: string }>; content: { text?: string } };
}

/** Stops the example and exports its history as HAR entries. */
async function historyOf(running: RunningExample): Promise<HarEntry[]> {
  expect(await running.stop()).toBe(0);
  const exported = await running.run(['history', 'export', '--format', 'har']);
  expect(exported.stderr).toBe('');
  return (JSON.parse(exported.stdout) as { log: { entries: HarEntry[] } }).log.entries;
}

describe('examples/redact-secrets', () => {
  it('masks Authorization, cookies and token parameters before history stores the exchange, not on the wire', async () => {
    let received: { url?: string; headers: IncomingHttpHeaders } | undefined;
    origin = await startOrigin((req, res) => {
      received = { url: req.url, headers: req.headers };
      res.setHeader('set-cookie', 'sid=server-secret; HttpOnly');
      res.end('profile');
    });
    example = await startExample('redact-secrets');
    const response = await requestThroughProxy(example.port, `${origin.url}/me?token=abc123&page=2`, {
      headers: { authorization: 'Bearer s3cret', cookie: 'session=xyz789' },
    });
    // The origin got the real request: redaction only touches the captured copy.
    expect(response.text).toBe('profile');
    expect(response.headers['set-cookie']).toEqual(['sid=server-secret; HttpOnly']);
    expect(received?.url).toBe('/me?token=abc123&page=2');
    expect(received?.headers.authorization).toBe('Bearer s3cret');
    expect(received?.headers.cookie).toBe('session=xyz789');

    const entries = await historyOf(example);
    expect(entries).toHaveLength(1);
    const stored = JSON.stringify(entries);
    for (const secret of ['s3cret', 'xyz789', 'abc123', 'server-secret']) expect(stored).not.toContain(secret);
    const entry = entries[0]!;
    expect(entry.request.url).toBe(`${origin.url}/me?token=%5BREDACTED%5D&page=2`);
    expect(entry.request.headers).toContainEqual({ name: 'authorization', value: '[REDACTED]' });
    expect(entry.request.headers).toContainEqual({ name: 'cookie', value: '[REDACTED]' });
    expect(entry.response.headers.find((header) => header.name.toLowerCase() === 'set-cookie')?.value).toBe('[REDACTED]');
  });
});

describe('examples/mock-endpoint', () => {
  it('answers the configured URL itself and forwards everything else', async () => {
    const seen: string[] = [];
    origin = await startOrigin((req, res) => {
      seen.push(req.url ?? '');
      res.end('from the origin');
    });
    example = await startExample('mock-endpoint', { MOCK_URL: `${origin.url}/v1/feature-flags` });
    const mocked = await requestThroughProxy(example.port, `${origin.url}/v1/feature-flags`);
    expect(mocked.status).toBe(200);
    expect(mocked.headers['x-mocked-by']).toBe('capture');
    expect(JSON.parse(mocked.text)).toEqual({ newCheckout: true, darkMode: false });
    const forwarded = await requestThroughProxy(example.port, `${origin.url}/v1/other`);
    expect(forwarded.text).toBe('from the origin');
    // The mocked URL never reached the origin, and both exchanges were captured.
    expect(seen).toEqual(['/v1/other']);
    const entries = await historyOf(example);
    expect(entries.map((entry) => entry.request.url).sort()).toEqual([`${origin.url}/v1/feature-flags`, `${origin.url}/v1/other`]);
  });
});

describe('examples/slow-network', () => {
  it('holds each request for the configured latency before it goes upstream', async () => {
    const arrivals: number[] = [];
    origin = await startOrigin((_req, res) => {
      arrivals.push(performance.now());
      res.end('late');
    });
    example = await startExample('slow-network');
    const sent = performance.now();
    const response = await requestThroughProxy(example.port, `${origin.url}/slow`);
    const total = performance.now() - sent;
    expect(response.text).toBe('late');
    // The config adds 400 ms plus up to 100 ms of jitter before the request leaves the proxy.
    expect(arrivals[0]! - sent).toBeGreaterThanOrEqual(395);
    expect(total).toBeGreaterThanOrEqual(395);
    expect(total).toBeLessThan(5_000);
  });
});

describe('examples/jsonl-log', () => {
  it('appends one JSON line per exchange and has them all on disk once the proxy closed', async () => {
    origin = await startOrigin((req, res) => {
      res.statusCode = req.url === '/missing' ? 404 : 200;
      res.end('ok');
    });
    example = await startExample('jsonl-log');
    await requestThroughProxy(example.port, `${origin.url}/first`);
    await requestThroughProxy(example.port, `${origin.url}/missing`, { method: 'POST', body: 'hello' });
    expect(await example.stop()).toBe(0);
    const lines = readFileSync(path.join(example.home, 'exchanges.jsonl'), 'utf8').trimEnd().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as { method: string; url: string; status: number; requestBytes: number });
    expect(entries.map(({ method, url, status }) => ({ method, url, status }))).toEqual([
      { method: 'GET', url: `${origin.url}/first`, status: 200 },
      { method: 'POST', url: `${origin.url}/missing`, status: 404 },
    ]);
    expect(entries[1]!.requestBytes).toBe(5);
  });
});

describe('examples/request-id', () => {
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

  it('sets X-Request-Id on every request (a fresh UUID unless the client sent one), and history keeps it', async () => {
    const seen: IncomingHttpHeaders[] = [];
    origin = await startOrigin((req, res) => {
      seen.push(req.headers);
      res.end('ok');
    });
    example = await startExample('request-id');
    await example.capture.waitFor(/^plugins: https, request-id, history$/m);
    await requestThroughProxy(example.port, `${origin.url}/first`);
    await requestThroughProxy(example.port, `${origin.url}/second`);
    await requestThroughProxy(example.port, `${origin.url}/own`, { headers: { 'x-request-id': 'client-chosen-1' } });
    const [first, second, own] = seen.map((headers) => headers['x-request-id']);
    expect(first).toMatch(UUID);
    expect(second).toMatch(UUID);
    expect(second).not.toBe(first);
    expect(own).toBe('client-chosen-1');
    const entries = await historyOf(example);
    const stored = entries.map((entry) => entry.request.headers.find((header) => header.name.toLowerCase() === 'x-request-id')?.value);
    expect(stored.sort()).toEqual([first, second, own].sort());
  });

  it('--request-id-header X-Trace changes the header, through the plugin flag', async () => {
    const seen: IncomingHttpHeaders[] = [];
    origin = await startOrigin((req, res) => {
      seen.push(req.headers);
      res.end('ok');
    });
    example = await startExample('request-id', {}, ['--request-id-header', 'X-Trace']);
    await requestThroughProxy(example.port, `${origin.url}/traced`);
    expect(seen[0]!['x-trace']).toMatch(UUID);
    expect(seen[0]!['x-request-id']).toBeUndefined();
  });

  it('capture start --help lists the flag under the plugin heading; a bad header name is a usage error', async () => {
    const help = await runExample('request-id', ['start', '--help']);
    expect(help.code).toBe(0);
    const section = /^request-id options:\n((?: .*\n)+)/m.exec(help.stdout);
    // Commander wraps descriptions at 80 columns: only the start of the line is fixed.
    expect(section?.[1]).toMatch(/^ +--request-id-header <name> +the header that carries the request id/m);
    const bad = await runExample('request-id', ['start', '--port', '0', '--request-id-header', 'no spaces']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('capture: --request-id-header expects a header name, got "no spaces"\n');
  });
});

describe('examples type-check', () => {
  it('compile under strict TypeScript against the public API only', async () => {
    const examples = path.dirname(exampleDir('basic').replace(/\/$/, ''));
    const files = readdirSync(examples).flatMap((name) =>
      readdirSync(path.join(examples, name)).filter((file) => file.endsWith('.ts')).map((file) => path.join(examples, name, file)),
    );
    expect(files.length).toBeGreaterThanOrEqual(13);
    // typescript's main is lib/typescript.js; its compiler is bin/tsc next to lib.
    const tsc = path.join(path.dirname(fileURLToPath(import.meta.resolve('typescript'))), '..', 'bin', 'tsc');
    const args = [tsc, '--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--types', 'node', '--skipLibCheck', ...files];
    const result = await promisify(execFile)(process.execPath, args, { cwd: examples }).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? String(error) }));
    expect(result.stdout).toBe('');
  });
});
