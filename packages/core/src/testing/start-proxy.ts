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
  /** Closes the proxy (and runs `onClose`). */
  close(): Promise<void>;
}

/**
 * Starts a proxy on 127.0.0.1 with a free port. The data folder defaults to a fresh temporary
 * folder only if the caller gives one; pass `dataDir` when plugins write files.
 */
export async function startProxy(config: CaptureConfig = {}): Promise<TestProxy> {
  const proxy = await createProxy({ host: '127.0.0.1', port: 0, ...config });
  const info = await proxy.listen();
  return { proxy, port: info.port, url: info.url, close: () => proxy.close() };
}
