import type { IncomingMessage, ServerResponse } from 'node:http';
import { Stage, type CapturePlugin, type Exchange } from '@capture/core';
import { collectExchanges, requestThroughProxy, startOrigin, startProxy, type ExchangeCollector, type ProxiedRequestOptions, type TestOrigin, type TestProxy } from '@capture/core/testing';

/** A storage plugin for tests: it keeps what `onExchange` hands it at `Stage.STORAGE`, like history does. */
export function testStorage(name = 'test-storage'): CapturePlugin & { stored: Exchange[] } {
  const stored: Exchange[] = [];
  return {
    name,
    stored,
    apply(proxy) {
      proxy.hooks.onExchange.tap({ name, stage: Stage.STORAGE }, (exchange) => {
        stored.push(exchange);
      });
    },
  };
}

/**
 * An origin whose answer the URL chooses: `?ct=TYPE` sets the Content-Type (`?ct=none` sends
 * none; default `application/json`), and the body says what the origin saw.
 */
export function answerByQuery(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const type = new URL(req.url ?? '/', 'http://origin').searchParams.get('ct') ?? 'application/json';
    const body = `origin saw ${req.method} ${req.url} with ${Buffer.concat(chunks).length} body bytes`;
    const headers: Record<string, string | number> = { 'Content-Length': Buffer.byteLength(body) };
    if (type !== 'none') headers['Content-Type'] = type;
    res.writeHead(200, headers);
    res.end(body);
  });
}

/** A proxy with the given plugins, an origin, a test storage plugin and a collector of every exchange. */
export interface FilterRig {
  proxy: TestProxy;
  origin: TestOrigin;
  storage: ReturnType<typeof testStorage>;
  all: ExchangeCollector;
  /** Sends `method path` to the origin through the proxy and waits until the exchange completed. */
  send(path: string, options?: ProxiedRequestOptions): Promise<{ status: number; text: string; exchange: Exchange }>;
  close(): Promise<void>;
}

/** Starts a rig; `plugins` receives the test storage so a test can place it anywhere in the list. */
export async function startRig(plugins: (storage: CapturePlugin) => CapturePlugin[]): Promise<FilterRig> {
  const origin = await startOrigin(answerByQuery);
  const storage = testStorage();
  const proxy = await startProxy({ plugins: plugins(storage) });
  const all = collectExchanges(proxy.proxy);
  return {
    proxy,
    origin,
    storage,
    all,
    async send(path, options) {
      const response = await requestThroughProxy(proxy.port, `${origin.url}${path}`, options);
      const exchange = await all.next();
      return { status: response.status, text: response.text, exchange };
    },
    async close() {
      all.stop();
      await proxy.close();
      await origin.close();
    },
  };
}
