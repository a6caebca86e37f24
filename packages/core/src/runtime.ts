import type { SecureContext } from 'node:tls';
import type { Dispatcher } from 'undici';
import type { ResolvedConfig } from './config.js';
import type { Exchange } from './exchange.js';
import type { ProxyHooks } from './hooks.js';
import type { BodyCollector } from './body-capture.js';

/** How upstream TLS is verified: a shared trust store when extra CAs are configured. */
export interface UpstreamTlsState {
  secureContext: SecureContext | undefined;
  rejectUnauthorized: boolean;
}

/** What the request handlers share with the proxy; internal, never exported from the package. */
export interface ProxyRuntime {
  readonly config: ResolvedConfig;
  readonly hooks: ProxyHooks;
  /** Pooled keep-alive upstream connections for forwarded requests (undici); created on listen. */
  dispatcher: Dispatcher | undefined;
  /** How upstream TLS is verified, for connections opened outside the pool (upgrades). */
  upstreamTls: UpstreamTlsState;
  /** Checks `Proxy-Authorization`; undefined when no auth is configured. */
  readonly checkAuth: ((header: string | undefined) => boolean) | undefined;
  /** A new exchange id. */
  nextExchangeId(): number;
  /** Counts an exchange in flight, so closing waits for it. */
  exchangeStarted(): void;
  /** Hands a completed exchange to the hooks (decoding captured bodies first) and stops counting it. */
  exchangeFinished(exchange: Exchange, requestBody: BodyCollector | undefined, responseBody: BodyCollector | undefined): void;
  /** Reports an error that has no client response to go to. */
  reportError(error: unknown): void;
}
