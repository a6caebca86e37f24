import { Stage, type CapturePlugin, type Exchange, type HeaderList } from '@capture/core';

/** Options of {@link redactSecrets}. */
export interface RedactSecretsOptions {
  /** Header names whose values are masked (any case). Default: credentials and cookies. */
  headers?: string[];
  /** Query parameters whose values are masked (any case). Default: common token names. */
  queryParams?: string[];
  /** What a secret is replaced with. Default `[REDACTED]`. */
  mask?: string;
}

const DEFAULT_HEADERS = ['authorization', 'proxy-authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-auth-token'];
const DEFAULT_QUERY = ['token', 'access_token', 'id_token', 'api_key', 'apikey', 'key', 'secret', 'password'];

/**
 * Masks credentials in every captured exchange before anything stores it: it taps `onExchange`
 * at `Stage.TRANSFORM`, which runs before `Stage.STORAGE` (history, collections) whatever the
 * order of plugins in the config. Only the captured copy changes; the origin still receives the
 * real request, so the app keeps working.
 */
export default function redactSecrets(options: RedactSecretsOptions = {}): CapturePlugin {
  const headers = new Set((options.headers ?? DEFAULT_HEADERS).map((name) => name.toLowerCase()));
  const queryParams = new Set((options.queryParams ?? DEFAULT_QUERY).map((name) => name.toLowerCase()));
  const mask = options.mask ?? '[REDACTED]';
  if (mask === '') throw new Error('redact-secrets: option "mask" must not be empty');

  const maskHeaders = (list: HeaderList): void => {
    for (const entry of list) if (headers.has(entry[0].toLowerCase())) entry[1] = mask;
  };
  const maskUrl = (url: string): string => {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return url; // not absolute: nothing we can parse safely
    }
    let changed = false;
    for (const name of [...parsed.searchParams.keys()]) {
      if (queryParams.has(name.toLowerCase())) {
        parsed.searchParams.set(name, mask);
        changed = true;
      }
    }
    return changed ? parsed.toString() : url;
  };
  const redact = (exchange: Exchange): void => {
    maskHeaders(exchange.request.headers);
    exchange.request.url = maskUrl(exchange.request.url);
    if (exchange.response) maskHeaders(exchange.response.headers);
  };

  return {
    name: 'redact-secrets',
    apply(proxy) {
      proxy.hooks.onExchange.tapPromise({ name: 'redact-secrets', stage: Stage.TRANSFORM }, async (exchange) => redact(exchange));
    },
    reconfigure: (overrides) => redactSecrets({ ...options, ...overrides }),
  };
}
