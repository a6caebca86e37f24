import { randomUUID } from 'node:crypto';
import { CaptureError, Stage, invalidOptions, type CapturePlugin, type HeaderList, type PluginFlag } from '@capture/core';

/** Options of {@link requestId}. */
export interface RequestIdOptions {
  /** The header that carries the id. Default `X-Request-Id`. */
  header?: string;
}

/** What the plugin publishes as its `api`. */
export interface RequestIdApi {
  /** The header in use. */
  readonly header: string;
}

/** The plugin's name: its tap name and its `--help` heading. */
const NAME = 'request-id';
const DEFAULT_HEADER = 'X-Request-Id';
/** An HTTP header name (RFC 9110 `token`). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

declare module '@capture/core' {
  interface PluginRegistry {
    'request-id': { api: RequestIdApi; options: RequestIdOptions };
  }
}

/**
 * Its `capture start` flag, declared next to its options: the CLI lists it under
 * "request-id options:" and hands the value back through `reconfigure`.
 */
const flags: readonly PluginFlag<RequestIdOptions>[] = [
  {
    flags: '--request-id-header <name>',
    description: `the header that carries the request id (default ${DEFAULT_HEADER})`,
    parse: (value) => {
      // A usage error (exit 2) here, before the proxy starts, names the flag and the value.
      if (!TOKEN.test(value)) throw new CaptureError('USAGE', `--request-id-header expects a header name, got ${JSON.stringify(value)}`);
      return value;
    },
    toOptions: (value) => ({ header: value as string }),
  },
];

/**
 * Gives every request a request id before it goes upstream: the id the client sent in the
 * header, else a fresh UUID. The captured exchange carries the id too, so an entry in history
 * can be matched with the server's logs.
 */
export default function requestId(options: RequestIdOptions = {}): CapturePlugin<RequestIdApi, RequestIdOptions> {
  const header = options.header ?? DEFAULT_HEADER;
  if (typeof header !== 'string' || !TOKEN.test(header)) {
    throw invalidOptions(NAME, `option "header": expected a header name, got ${JSON.stringify(header)}`);
  }
  const lower = header.toLowerCase();
  const find = (headers: HeaderList) => headers.find(([name]) => name.toLowerCase() === lower);

  return {
    name: NAME,
    api: { header },
    flags,
    reconfigure: (overrides) => requestId({ ...options, ...overrides }),
    apply(proxy) {
      // TRANSFORM: after the filters decided what is captured, before anything stores it.
      proxy.hooks.onRequest.tap({ name: NAME, stage: Stage.TRANSFORM }, ({ exchange, outgoing }) => {
        if (find(outgoing.headers)) return undefined;
        const id = randomUUID();
        outgoing.headers.push([header, id]);
        if (!find(exchange.request.headers)) exchange.request.headers.push([header, id]);
        return undefined;
      });
    },
  };
}
