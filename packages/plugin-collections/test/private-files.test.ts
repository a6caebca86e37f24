import { chmodSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CapturePlugin } from '@capture/core';
import { requestThroughProxy, startOrigin, type TestOrigin } from '@capture/core/testing';
import { startCollectionsProxy } from './helpers/collection.js';
import { runCapture } from './helpers/cli.js';
import { runCollectionCommand } from './helpers/commands.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

let origin: TestOrigin | undefined;
let proxy: Awaited<ReturnType<typeof startCollectionsProxy>> | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
  cleanupAll();
});

const modeOf = (file: string) => statSync(file).mode & 0o777;

describe('collection files are private', () => {
  it('creates the collections folder 0700 and writes the file (through its temporary files) 0600', async () => {
    const dataDir = tempDir();
    origin = await startOrigin();
    proxy = await startCollectionsProxy(dataDir, { name: 'Private', flushInterval: 10 });
    const folder = path.dirname(proxy.file);
    // Every temporary file that appears while writing is 0600 too: watch the folder while it writes.
    const seen: number[] = [];
    const { watch } = await import('node:fs');
    const watcher = watch(folder, (_event, name) => {
      if (!name?.endsWith('.tmp')) return;
      try {
        seen.push(modeOf(path.join(folder, name)));
      } catch {
        // Already renamed over the target.
      }
    });
    try {
      await requestThroughProxy(proxy.port, `${origin.url}/token?access_token=abc`);
      await proxy.api.flush();
    } finally {
      watcher.close();
    }
    expect(modeOf(folder)).toBe(0o700);
    expect(modeOf(proxy.file)).toBe(0o600);
    expect(seen.every((mode) => mode === 0o600)).toBe(true);
    expect(readdirSync(folder).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('an existing file readable by others: one warning line once the proxy listens, and 0600 after the next write', async () => {
    const dataDir = tempDir();
    mkdirSync(path.join(dataDir, 'collections'));
    const file = path.join(dataDir, 'collections', 'loose.postman_collection.json');
    writeFileSync(file, JSON.stringify({ info: { name: 'Loose', schema: 'https://schema.getpostman.com/json/collection/v2.1.0/collection.json' }, item: [] }));
    chmodSync(file, 0o644);
    const messages: string[] = [];
    const errors: CapturePlugin = { name: 'errors', apply: (p) => void p.hooks.onError.tap('errors', (error) => void messages.push(`${error.code}: ${error.message}`)) };
    origin = await startOrigin();
    proxy = await startCollectionsProxy(dataDir, { name: 'Loose', flushInterval: 10 }, [errors]);
    expect(messages).toEqual([expect.stringMatching(/^COLLECTION_UNSAFE: .*loose\.postman_collection\.json is readable by other users \(mode 0644\)/)]);
    await requestThroughProxy(proxy.port, `${origin.url}/a`);
    await proxy.api.flush();
    expect(modeOf(file)).toBe(0o600);
  });

  it('capture collection export -o writes a 0600 file', async () => {
    const dataDir = tempDir();
    origin = await startOrigin();
    proxy = await startCollectionsProxy(dataDir, { name: 'Out', flushInterval: 10 });
    await requestThroughProxy(proxy.port, `${origin.url}/a`);
    await proxy.close();
    proxy = undefined;
    const out = path.join(dataDir, 'out.json');
    const result = await runCollectionCommand(dataDir, 'export', ['Out'], { output: out });
    expect(result.code, result.stderr).toBe(0);
    expect(modeOf(out)).toBe(0o600);
  });
});

describe('a broken collection file', () => {
  /** A data folder whose collection "Demo" is not valid JSON. */
  function brokenHome(): { home: string; file: string } {
    const home = tempDir();
    mkdirSync(path.join(home, 'collections'));
    const file = path.join(home, 'collections', 'demo.postman_collection.json');
    writeFileSync(file, '{"info": {"name": "Demo"');
    return { home, file };
  }

  it('with --collection next to history, the start ends with exit 1 and one line naming the file', async () => {
    const { home, file } = brokenHome();
    const result = await runCapture(['start', '--port', '0', '--host', '127.0.0.1', '--collection', 'Demo'], home);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(`${file} is not valid JSON`);
    expect(result.stdout).not.toContain('listening on');
  });

  it('capture collection show says the file is broken, with the parse error, not that there is none', async () => {
    const { home, file } = brokenHome();
    const result = await runCapture(['collection', 'show', 'Demo'], home);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toContain('holds none yet');
    expect(result.stderr).toMatch(/the collection file is broken: .*demo\.postman_collection\.json is not valid JSON \(.+\)/);
    expect(result.stderr).toContain(file);
  });
});
