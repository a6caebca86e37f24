import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CaptureError } from '../src/errors.js';
import { createProxy, type CaptureProxy } from '../src/proxy.js';

let proxy: CaptureProxy | undefined;
let root: string | undefined;

afterEach(async () => {
  await proxy?.close();
  if (root) rmSync(root, { recursive: true, force: true });
  proxy = undefined;
  root = undefined;
});

describe.skipIf(process.platform === 'win32')('the data folder', () => {
  it('is created 0700 by the proxy before any plugin runs', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'capture-home-'));
    const dataDir = path.join(root, 'config', 'capture');
    let modeWhenApplied: number | undefined;
    proxy = await createProxy({
      host: '127.0.0.1',
      port: 0,
      dataDir,
      plugins: [{ name: 'probe', apply: () => void (modeWhenApplied = statSync(dataDir).mode & 0o777) }],
    });
    expect(modeWhenApplied).toBe(0o700);
  });

  it('is reported once through onError when it already exists with access for other users', async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'capture-home-'));
    const dataDir = path.join(root, 'capture');
    mkdirSync(dataDir);
    chmodSync(dataDir, 0o755);
    proxy = await createProxy({ host: '127.0.0.1', port: 0, dataDir });
    const errors: CaptureError[] = [];
    proxy.hooks.onError.tap('test', (error) => void errors.push(error));
    await proxy.listen();
    expect(errors.map((error) => error.code)).toEqual(['DATA_DIR_UNSAFE']);
    expect(errors[0]!.message).toContain('mode 0755');
    expect(statSync(dataDir).mode & 0o777).toBe(0o755);
  });
});
