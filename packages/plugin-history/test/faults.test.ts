import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestThroughProxy, startOrigin, type TestOrigin } from '@capture/core/testing';
import { runCapture, startProxyProcess, stopProxyProcess, type CaptureProcess } from './helpers/cli.js';
import { loadThroughProxy, type Completed } from './helpers/load.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

let processes: CaptureProcess[] = [];
let origin: TestOrigin | undefined;
afterEach(async () => {
  for (const capture of processes.splice(0)) {
    if (capture.child.exitCode === null && capture.child.signalCode === null) capture.child.kill('SIGKILL');
    await capture.exited;
  }
  await origin?.close();
  origin = undefined;
  cleanupAll();
});

/**
 * Starts `capture start`. The fault tests turn HTTPS interception off: it plays no part in them,
 * and creating a CA in each fresh data folder would cost seconds on a busy machine. The first
 * test runs the defaults as they are.
 */
async function start(home: string, options: { shellPrefix?: string; defaults?: boolean } = {}) {
  const capture = await startProxyProcess({ home, ...(options.shellPrefix ? { shellPrefix: options.shellPrefix } : {}) }, options.defaults ? [] : ['--no-https']);
  processes.push(capture);
  return capture;
}

/** Opens the history database as a new process would after a crash: recovery from the WAL included. */
function inspect(home: string): { integrity: string; urls: string[] } {
  const db = new Database(path.join(home, 'history.db'));
  try {
    return {
      integrity: db.pragma('integrity_check', { simple: true }) as string,
      urls: db.prepare('SELECT url FROM exchanges ORDER BY id').pluck().all() as string[],
    };
  } finally {
    db.close();
  }
}

describe('faults', () => {
  it('records with no config, and after a restart `capture history list` shows what was captured', async () => {
    const home = tempDir();
    origin = await startOrigin();
    const first = await start(home, { defaults: true });
    await first.waitFor(/plugins: .*history/);
    expect((await requestThroughProxy(first.port, `${origin.url}/before-restart`)).status).toBe(200);
    expect(await stopProxyProcess(first)).toBe(0);
    const second = await start(home, { defaults: true });
    expect((await requestThroughProxy(second.port, `${origin.url}/after-restart`)).status).toBe(200);
    expect(await stopProxyProcess(second)).toBe(0);
    const list = await runCapture(['history', 'list'], { home });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/\n\s*2 .*\/after-restart .*\n\s*1 .*\/before-restart /);
    // The first start creates the HTTPS plugin's CA, which takes a while on a busy machine.
  }, 90_000);

  it('`capture start --save-to history --no-save-responses` saves requests without their responses', async () => {
    const home = tempDir();
    origin = await startOrigin();
    const capture = await startProxyProcess({ home }, ['--no-https', '--save-to', 'history', '--no-save-responses']);
    processes.push(capture);
    expect((await requestThroughProxy(capture.port, `${origin.url}/request-only`, { method: 'POST', body: 'kept' })).status).toBe(200);
    expect(await stopProxyProcess(capture)).toBe(0);
    const db = new Database(path.join(home, 'history.db'), { readonly: true });
    const rows = db.prepare('SELECT url, request_body, status, response_headers, response_body FROM exchanges').all();
    db.close();
    expect(rows).toEqual([{ url: `${origin.url}/request-only`, request_body: Buffer.from('kept'), status: null, response_headers: null, response_body: null }]);
  });

  it('SIGKILL during heavy capture leaves a database that opens and holds everything completed over a second before', async () => {
    const home = tempDir();
    origin = await startOrigin((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('x'.repeat(512));
    });
    const capture = await start(home);
    let killedAt = 0;
    const completed: Completed[] = [];
    const load = await loadThroughProxy(capture.port, origin.url, {
      concurrency: 8,
      max: 20_000,
      // Kill while requests are in flight, once 200 exchanges completed more than a second ago
      // (however fast this machine is at the moment).
      until: () => {
        if (!killedAt && completed.filter((done) => done.at < Date.now() - 1000).length >= 200) {
          killedAt = Date.now();
          capture.child.kill('SIGKILL');
        }
        return killedAt > 0;
      },
      completed,
    });
    expect(await capture.exited).toBeNull();
    expect(capture.child.signalCode).toBe('SIGKILL');
    const durable = load.completed.filter((done) => done.at < killedAt - 1000).map((done) => `${origin!.url}/load/${done.n}`);
    expect(durable.length).toBeGreaterThanOrEqual(200);
    const { integrity, urls } = inspect(home);
    expect(integrity).toBe('ok');
    const saved = new Set(urls);
    expect(durable.filter((url) => !saved.has(url))).toEqual([]);
  });

  it('two capture processes on one data folder take turns and lose nothing', async () => {
    const home = tempDir();
    origin = await startOrigin();
    const [a, b] = await Promise.all([start(home), start(home)]);
    const [loadA, loadB] = await Promise.all([
      loadThroughProxy(a.port, origin.url, { concurrency: 4, max: 150, tag: 'a' }),
      loadThroughProxy(b.port, origin.url, { concurrency: 4, max: 150, tag: 'b' }),
    ]);
    expect(loadA.failed + loadB.failed).toBe(0);
    expect(await Promise.all([stopProxyProcess(a), stopProxyProcess(b)])).toEqual([0, 0]);
    expect(a.stderr() + b.stderr()).not.toMatch(/history/);
    const { integrity, urls } = inspect(home);
    expect(integrity).toBe('ok');
    expect(urls).toHaveLength(300);
    expect(new Set(urls).size).toBe(300);
    expect(urls.filter((url) => url.includes('/a/'))).toHaveLength(150);
  });

  it('moves a damaged history.db aside with a clear message and starts a fresh one', async () => {
    const home = tempDir();
    const damaged = Buffer.from('this is not an SQLite database, it was damaged on purpose\n'.repeat(200));
    writeFileSync(path.join(home, 'history.db'), damaged);
    origin = await startOrigin();
    const capture = await start(home);
    const [, movedTo] = await capture.waitFor(/history: \S+history\.db is damaged \(file is not a database\); moved it to (\S+) and started a new history/, 'stderr');
    expect(path.basename(movedTo!)).toMatch(/^history\.db\.corrupt-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z$/);
    expect(readFileSync(movedTo!)).toEqual(damaged);
    expect((await requestThroughProxy(capture.port, `${origin.url}/fresh`)).status).toBe(200);
    expect(await stopProxyProcess(capture)).toBe(0);
    expect(inspect(home).urls).toEqual([`${origin.url}/fresh`]);
    expect(readdirSync(home).filter((name) => name.startsWith('history.db.corrupt-'))).toHaveLength(1);
  });

  it('logs a write failure (a full disk) once and goes on proxying', async () => {
    const home = tempDir();
    origin = await startOrigin((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('y'.repeat(16 * 1024));
    });
    // The shell's file-size limit (KiB) makes writes past 256 KiB fail with EFBIG, as a full disk does.
    const capture = await start(home, { shellPrefix: 'ulimit -f 256;' });
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await requestThroughProxy(capture.port, `${origin.url}/fill/${i}`)).status);
    // Those fit: they are written before the limit is reached.
    await vi.waitFor(() => expect(inspect(home).urls).toHaveLength(3));
    for (let i = 3; i < 40; i++) statuses.push((await requestThroughProxy(capture.port, `${origin.url}/fill/${i}`)).status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    await capture.waitFor(/history: cannot write to \S+history\.db \(.+\); \d+ exchange\(s\) not saved, capturing goes on/, 'stderr');
    for (let i = 40; i < 50; i++) statuses.push((await requestThroughProxy(capture.port, `${origin.url}/fill/${i}`)).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(50);
    expect(await stopProxyProcess(capture)).toBe(0);
    expect(capture.stderr().match(/cannot write to/g)).toHaveLength(1);
    const saved = inspect(home).urls.length;
    expect(saved).toBeGreaterThanOrEqual(3);
    expect(saved).toBeLessThan(50);
  });

  it('the data folder removed while capturing: one clear message, proxying goes on, and history is written again in a new file', async () => {
    const home = tempDir();
    origin = await startOrigin((req, res) => {
      req.resume();
      res.end('ok');
    });
    const capture = await start(home);
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await requestThroughProxy(capture.port, `${origin.url}/before/${i}`)).status);
    await vi.waitFor(() => expect(inspect(home).urls).toHaveLength(3));
    rmSync(home, { recursive: true, force: true });
    for (let i = 0; i < 3; i++) statuses.push((await requestThroughProxy(capture.port, `${origin.url}/after/${i}`)).status);
    await capture.waitFor(/history\.db was removed while capturing; a new one was started in its place/, 'stderr');
    for (let i = 3; i < 6; i++) statuses.push((await requestThroughProxy(capture.port, `${origin.url}/after/${i}`)).status);
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(await stopProxyProcess(capture)).toBe(0);
    expect(capture.stderr().match(/was removed while capturing/g)).toHaveLength(1);
    // The batch that noticed the removal is the first one written to the new file: nothing after the removal is lost.
    const after = inspect(home);
    expect(after.integrity).toBe('ok');
    expect(after.urls.map((url) => new URL(url).pathname)).toEqual([0, 1, 2, 3, 4, 5].map((i) => `/after/${i}`));
    expect(statSync(home).mode & 0o777).toBe(0o700);
  });
});
