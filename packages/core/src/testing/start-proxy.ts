import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createProxy, type CaptureProxy } from '../proxy.js';
import type { CaptureConfig } from '../config.js';

/** A proxy started for a test. */
export interface TestProxy {
  /** The proxy itself, to tap hooks on. */
  proxy: CaptureProxy;
  /** The port it listens on (on 127.0.0.1). */
  port: number;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** Closes the proxy (and runs `onClose`), then removes the temporary data folder if the kit made one. */
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 with a free port. Without `dataDir` the proxy gets a fresh
 * temporary data folder, removed by `close()`: a test never writes into the user's real one.
 */
export async function startProxy(config: CaptureConfig = {}): Promise<TestProxy> {
  const temporary = config.dataDir === undefined ? await mkdtemp(path.join(os.tmpdir(), 'capture-test-')) : undefined;
  const removeTemporary = () => (temporary ? rm(temporary, { recursive: true, force: true }) : Promise.resolve());
  let proxy: CaptureProxy;
  try {
    proxy = await createProxy({ host: '127.0.0.1', port: 0, ...config, ...(temporary ? { dataDir: temporary } : {}) });
    const info = await proxy.listen();
    return {
      proxy,
      port: info.port,
      url: info.url,
      close: async () => {
        await proxy.close();
        await removeTemporary();
      },
    };
  } catch (error) {
    await removeTemporary();
    throw error;
  }
}
