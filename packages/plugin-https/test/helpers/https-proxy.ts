import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CaptureConfig } from '@capture/core';
import { startProxy, type TestProxy } from '@capture/core/testing';
import https, { type HttpsApi, type HttpsOptions } from '../../src/index.js';

/** A proxy with the HTTPS plugin, in a fresh data folder. */
export interface HttpsTestProxy extends TestProxy {
  /** The plugin's API (its CA, counters). */
  api: HttpsApi;
  /** The CA certificate clients must trust. */
  caPem: string;
  /** The temporary data folder. */
  dataDir: string;
}

/** A fresh temporary data folder; remove it with the returned function. */
export function tempDataDir(): { dir: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'capture-https-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts a proxy on 127.0.0.1 with `https(options)` in a temporary data folder (or `dataDir`);
 * `config` adds core options (`upstreamProxy`, `reverse`, `reverseTls`…).
 */
export async function startHttpsProxy(options: HttpsOptions = {}, dataDir?: string, config: Omit<CaptureConfig, 'plugins' | 'dataDir'> = {}): Promise<HttpsTestProxy> {
  const temp = dataDir ? undefined : tempDataDir();
  const dir = dataDir ?? temp!.dir;
  const plugin = https(options);
  let started: TestProxy;
  try {
    started = await startProxy({ ...config, dataDir: dir, plugins: [plugin] });
  } catch (error) {
    temp?.remove();
    throw error;
  }
  const api = plugin.api!;
  return {
    ...started,
    api,
    caPem: api.ca!.certPem,
    dataDir: dir,
    close: async () => {
      await started.close();
      temp?.remove();
    },
  };
}
