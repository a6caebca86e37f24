import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredExchange } from '@capture/core';
import { toCurlScript } from '../src/export/curl.js';

/** What the origin received: one entry per request. */
interface Arrival {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

describe('replaying a curl export of hostile captures (bash + curl against a local origin)', () => {
  let server: Server;
  let origin = '';
  let folder = '';
  const arrivals: Arrival[] = [];

  beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'capture-curl-replay-'));
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        arrivals.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks) });
        response.end('ok');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    rmSync(folder, { recursive: true, force: true });
  });

  it('sends exactly the captured bytes, never reads a local file and never runs a command', async () => {
    const secret = path.join(folder, 'secret.txt');
    writeFileSync(secret, 'TOP-SECRET-CONTENT');
    const marker = path.join(folder, 'pwned');
    const hostile = [
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `'; touch ${marker}; '`,
      `"$(touch ${marker})"`,
    ].join(' ');
    let id = 0;
    const exchange = (request: Partial<StoredExchange['request']>, body?: Uint8Array): StoredExchange => ({
      id: ++id,
      client: { address: '127.0.0.1', port: 1 },
      tls: false,
      mocked: false,
      request: {
        method: 'POST',
        url: `${origin}/`,
        host: origin.slice('http://'.length),
        httpVersion: '1.1',
        headers: [],
        bodySize: body?.length ?? 0,
        ...(body ? { body: { bytes: body, size: body.length, truncated: false, decoded: false } } : {}),
        ...request,
      },
      timings: { startedAt: 0, total: 1 },
    });
    const bodies: Buffer[] = [
      Buffer.from(`@${secret}`),
      Buffer.from(`@${secret};type=text/plain`),
      Buffer.from(hostile),
      Buffer.from(`line1\nline2\r\nit's 'quoted' \\ $HOME !! %s %n`),
      Buffer.from(`--upload-file ${secret}`),
      Buffer.concat([Buffer.from(`@${secret}`), Buffer.from([0, 0x27, 0x5c, 0x25, 0xff, 0x0a]), Buffer.from(hostile)]),
      Buffer.from([0x80, 0xfe, 0x01, 0x1b, 0x5b, 0x33, 0x31, 0x6d, 0x21, 0x27]),
    ];
    const exchanges = [
      ...bodies.map((body) => exchange({}, body)),
      exchange({ method: 'PUT', headers: [['X-Evil', hostile], ['X-Tab', 'a\tb'], ['X-At', `@${secret}`], ['X-Empty', ''], ['Content-Type', `text/plain; name="$(touch ${marker})"`]] }, Buffer.from('x')),
      exchange({ method: 'GET', url: `${origin}/p'a"th$(touch%20${marker})/\`id\`;&|<>[1]{a}?q='$(id)'&r=\`id\`#frag` }),
      // Not replayable safely: skipped and counted, never sent.
      exchange({ method: 'GET', url: `-o${marker}` }),
      exchange({ method: 'GET', headers: [['X-Split', 'a\r\nX-Injected: 1']] }),
    ];
    const { text, skipped } = toCurlScript(exchanges);
    expect(skipped).toBe(2);
    expect(text.trimEnd().split('\n')).toHaveLength(exchanges.length);
    expect(text).not.toContain('--data-binary \'@');

    // Asynchronously: the origin runs in this process and must answer while bash runs.
    await promisify(execFile)('bash', ['-c', text.replace(/^curl /gm, 'curl -q -sS -o /dev/null ').replace(/\| curl /g, '| curl -q -sS -o /dev/null ')], {
      cwd: folder,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: folder },
      timeout: 20_000,
    });

    expect(existsSync(marker)).toBe(false);
    expect(arrivals).toHaveLength(exchanges.length - 2);
    for (const arrival of arrivals) expect(arrival.body.toString('latin1')).not.toContain('TOP-SECRET');
    bodies.forEach((body, index) => {
      expect(arrivals[index]!.method).toBe('POST');
      expect(arrivals[index]!.body).toEqual(body);
    });
    const put = arrivals[bodies.length]!;
    expect(put.method).toBe('PUT');
    expect(put.headers['x-evil']).toBe(hostile);
    expect(put.headers['x-tab']).toBe('a\tb');
    expect(put.headers['x-at']).toBe(`@${secret}`);
    expect(put.headers['x-empty']).toBe('');
    expect(put.headers['content-type']).toBe(`text/plain; name="$(touch ${marker})"`);
    expect(put.body.toString()).toBe('x');
    const get = arrivals[bodies.length + 1]!;
    expect(get.method).toBe('GET');
    expect(get.url).toBe(`/p'a"th$(touch%20${marker})/\`id\`;&|<>[1]{a}?q='$(id)'&r=\`id\``);
    expect(get.headers['x-injected']).toBeUndefined();
  });
});
