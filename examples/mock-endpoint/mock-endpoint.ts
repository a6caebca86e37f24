import { Stage, type CapturePlugin, type HeaderList } from '@capture/core';

/** Options of {@link mockEndpoint}. */
export interface MockEndpointOptions {
  /** The absolute URL answered (query included when given), e.g. `https://api.example.com/v1/flags`. */
  url: string;
  /** Only this method; default any. */
  method?: string;
  /** The status to answer. Default 200. */
  status?: number;
  /** The body; an object is sent as JSON. */
  body?: string | Record<string, unknown> | unknown[];
  /** Extra response headers. */
  headers?: Record<string, string>;
}

/**
 * Answers one URL itself: its `onRequest` tap returns a `MockResponse`, so nothing is sent
 * upstream and the exchange is still captured (with `mocked: true`). Every other request goes
 * through untouched.
 */
export default function mockEndpoint(options: MockEndpointOptions): CapturePlugin {
  let target: URL;
  try {
    target = new URL(options.url);
  } catch {
    throw new Error(`mock-endpoint: option "url" must be an absolute URL, got ${JSON.stringify(options.url)}`);
  }
  const status = options.status ?? 200;
  if (!Number.isInteger(status) || status < 100 || status > 599) throw new Error(`mock-endpoint: option "status" must be 100-599, got ${status}`);
  const json = typeof options.body === 'object';
  const body: string = typeof options.body === 'string' ? options.body : options.body === undefined ? '' : JSON.stringify(options.body);
  const headers: HeaderList = [['content-type', json ? 'application/json' : 'text/plain; charset=utf-8'], ...Object.entries(options.headers ?? {})];
  const method = options.method?.toUpperCase();
  const matches = (url: string): boolean => {
    const asked = new URL(url);
    if (asked.origin !== target.origin || asked.pathname !== target.pathname) return false;
    return target.search === '' || asked.search === target.search;
  };

  return {
    name: 'mock-endpoint',
    apply(proxy) {
      proxy.hooks.onRequest.tapPromise({ name: 'mock-endpoint', stage: Stage.TRANSFORM }, async ({ outgoing }) => {
        if (method && outgoing.method !== method) return undefined;
        if (!matches(outgoing.url)) return undefined;
        return { statusCode: status, headers: headers.map(([name, value]) => [name, value] as [string, string]), body };
      });
    },
    reconfigure: (overrides) => mockEndpoint({ ...options, ...overrides }),
  };
}
