import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readCollection, requestsOf, shapeOf, startCollectionsProxy } from './helpers/collection.js';
import { killIfRunning, runCapture, startProxyProcess, type CaptureProcess } from './helpers/cli.js';
import { curl } from './helpers/curl.js';
import { loadThroughProxy } from './helpers/load.js';
import { runNewman } from './helpers/newman.js';
import { startRecordingOrigin, type RecordingOrigin } from './helpers/origin.js';
import { schemaErrors } from './helpers/schema.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

let origin: RecordingOrigin;
let capture: CaptureProcess | undefined;

/**
 * `node -e KILLER folder file pid minSize`: watches `folder` and SIGKILLs `pid` as soon as a
 * temporary file of `file` appears while `file` is at least `minSize` bytes, then prints `killed`.
 * Bounded: it gives up after 20 seconds.
 */
const KILLER = `
const fs = require('node:fs');
const path = require('node:path');
const [folder, file, pid, minSize] = process.argv.slice(1);
const give = setTimeout(() => process.exit(1), 20000);
fs.watch(folder, (event, name) => {
  // A rename event also reports a temporary file going away (renamed over the target): only its appearance counts.
  if (!name || !name.startsWith('.' + file) || !name.endsWith('.tmp') || !fs.existsSync(path.join(folder, name))) return;
  let size = 0;
  try { size = fs.statSync(path.join(folder, file)).size; } catch {}
  if (size < Number(minSize)) return;
  process.kill(Number(pid), 'SIGKILL');
  clearTimeout(give);
  process.stdout.write('killed\\n');
  process.exit(0);
});
`;

beforeEach(async () => {
  origin = await startRecordingOrigin();
});
afterEach(async () => {
  await killIfRunning(capture);
  capture = undefined;
  await origin.close();
  cleanupAll();
});

// Each test starts `capture` processes; on a loaded 2-core CI machine that can take a while.
describe('capture start --save-to collection', { timeout: 90_000 }, () => {
  it('leaves, after traffic and Ctrl-C, a collection grouped by domain and endpoint with responses that newman runs', async () => {
    const home = tempDir();
    const started = await startProxyProcess(home, ['--save-to', 'collection', '--collection', 'Demo', '--group-by', 'domain,endpoint', '--save-responses']);
    capture = started;
    const plugins = (await started.waitFor(/^plugins: (.*)$/m))[1]!.split(', ');
    expect(plugins).toContain('collections');
    expect(plugins).not.toContain('history');

    const ip = `http://127.0.0.1:${origin.port}`;
    const local = `http://localhost:${origin.port}`;
    await curl(started.port, [`${ip}/users/42`]);
    await curl(started.port, [`${ip}/users/7?fields=name`]);
    await curl(started.port, ['-H', 'Content-Type: application/json', '--data-binary', '{"name":"ann"}', `${ip}/users`]);
    await curl(started.port, [`${local}/products/3f2504e0-4f89-11d3-9a0c-0305e82c3301`]);
    await curl(started.port, [`${local}/products?sort=asc`]);
    started.child.kill('SIGINT');
    expect(await started.exited).toBe(0);
    expect(started.stdout()).toMatch(/stopped: 5 captured/);

    const file = path.join(home, 'collections', 'demo.postman_collection.json');
    const collection = readCollection(file);
    expect(schemaErrors(collection)).toEqual([]);
    expect(collection.info.name).toBe('Demo');
    expect(shapeOf(collection.item)).toEqual([
      { [`127.0.0.1:${origin.port}`]: [{ '/users/:id': ['GET /users/42', 'GET /users/7'] }, { '/users': ['POST /users'] }] },
      { [`localhost:${origin.port}`]: [{ '/products/:id': ['GET /products/3f2504e0-4f89-11d3-9a0c-0305e82c3301'] }, { '/products': ['GET /products'] }] },
    ]);
    const requests = requestsOf(collection.item);
    expect(requests.map((entry) => entry.response?.[0]?.code)).toEqual([200, 200, 201, 200, 200]);
    expect(JSON.parse(requests[2]!.response![0]!.body!)).toEqual({ method: 'POST', url: '/users', size: 14 });
    // History was not used: --save-to collection replaces it.
    expect(existsSync(path.join(home, 'history.db'))).toBe(false);

    const from = origin.received.length;
    const run = await runNewman(collection);
    expect(run.failures).toEqual([]);
    expect(run.codes).toEqual([200, 200, 201, 200, 200]);
    expect(origin.since(from).map((request) => `${request.method} ${request.headers.host} ${request.url} ${request.body.toString()}`)).toEqual([
      `GET 127.0.0.1:${origin.port} /users/42 `,
      `GET 127.0.0.1:${origin.port} /users/7?fields=name `,
      `POST 127.0.0.1:${origin.port} /users {"name":"ann"}`,
      `GET localhost:${origin.port} /products/3f2504e0-4f89-11d3-9a0c-0305e82c3301 `,
      `GET localhost:${origin.port} /products?sort=asc `,
    ]);
  });

  it('offers capture collection list and export through the CLI, and exits 1 with one line for an unknown name', async () => {
    const home = tempDir();
    const made = await startCollectionsProxy(home, { name: 'Demo' });
    await curl(made.port, [`${origin.url}/users/42`]);
    await made.close();
    const file = made.file;
    const list = await runCapture(['collection', 'list'], home);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^Demo\\s+1\\s+\\S+ \\S+\\s+${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    const exported = path.join(home, 'export.json');
    const exportRun = await runCapture(['collection', 'export', 'Demo', '-o', exported], home);
    expect(exportRun.code).toBe(0);
    expect(readCollection(exported)).toEqual(readCollection(file));
    const missing = await runCapture(['collection', 'show', 'Nope'], home);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`capture: collections: no collection "Nope" in ${path.join(home, 'collections')} (there are "Demo")\n`);
  });

  it('stops with one line and exit 1 when the collection file is broken, leaving it as it was', async () => {
    const home = tempDir();
    mkdirSync(path.join(home, 'collections'));
    const file = path.join(home, 'collections', 'demo.postman_collection.json');
    writeFileSync(file, '{"info": {"name": "Demo"');
    const before = statSync(file).mtimeMs;
    const result = await runCapture(['start', '--port', '0', '--host', '127.0.0.1', '--save-to', 'collection', '--collection', 'Demo'], home);
    expect(result.code).toBe(1);
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^capture: collections: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON \\(.+\\); capture left it untouched: fix it, move it away, or save to another collection$`));
    expect(result.stdout).not.toContain('listening on');
    expect(readFileSync(file, 'utf8')).toBe('{"info": {"name": "Demo"');
    expect(statSync(file).mtimeMs).toBe(before);
  });

  it('leaves a valid collection when killed (SIGKILL) in the middle of rewriting it, and starts again on it', async () => {
    const home = tempDir();
    const started = await startProxyProcess(home, ['--no-https', '--save-to', 'collection', '--collection', 'Crash', '--save-responses']);
    capture = started;
    const folder = path.join(home, 'collections');
    const file = path.join(folder, 'crash.postman_collection.json');
    // A separate, idle process kills capture the moment a rewrite begins (its temporary file
    // appears) once the file is a few hundred KiB: it reacts faster than this busy test process,
    // so the kill lands while the large file is being written.
    const killer = spawn(process.execPath, ['-e', KILLER, folder, path.basename(file), String(started.child.pid), String(256 * 1024)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const killerDone = new Promise<string>((resolve) => {
      let out = '';
      killer.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
      killer.on('exit', () => resolve(out));
    });
    let killed = false;
    void started.exited.then(() => (killed = true));
    await loadThroughProxy(started.port, `${origin.url}/big`, { concurrency: 4, max: 3000, until: () => killed });
    expect(await started.exited).toBeNull();
    expect(started.child.signalCode).toBe('SIGKILL');
    expect(await killerDone).toBe('killed\n');

    // The kill landed mid-write: the temporary file of the interrupted rewrite is still there.
    const leftovers = readdirSync(folder).filter((name) => name.endsWith('.tmp'));
    expect(leftovers).toHaveLength(1);
    const collection = readCollection(file);
    expect(schemaErrors(collection)).toEqual([]);
    const saved = requestsOf(collection.item);
    expect(saved.length).toBeGreaterThan(0);
    expect(saved.every((entry) => entry.name === 'GET /big' && entry.response?.[0]?.code === 200)).toBe(true);

    // A new start takes the file as it is and appends to it.
    const again = await startProxyProcess(home, ['--no-https', '--save-to', 'collection', '--collection', 'Crash']);
    capture = again;
    await curl(again.port, [`${origin.url}/after`]);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(0);
    expect(readdirSync(folder)).toEqual([path.basename(file)]);
    const after = requestsOf(readCollection(file).item);
    expect(after.slice(0, saved.length)).toEqual(saved);
    expect(after.map((entry) => entry.name).slice(saved.length)).toEqual(['GET /after']);
  });
});
