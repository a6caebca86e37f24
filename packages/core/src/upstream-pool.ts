import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import type { Dispatcher } from 'undici';
import type { ResolvedConfig } from './config.js';
import { H2Sessions } from './h2-upstream.js';

/** How the proxy verifies upstream TLS; see {@link UpstreamPool.setTls}. */
export interface UpstreamTlsOptions {
  /** Extra trusted CA certificates (PEM), added to the system's. */
  ca?: Array<string | Buffer>;
  /** Verify upstream certificates. Default true. */
  rejectUnauthorized?: boolean;
}

/** How upstream TLS is verified: a shared trust store when extra CAs are configured. */
export interface UpstreamTlsState {
  /** The trust store with the extra CAs; undefined means Node's default roots. */
  readonly secureContext: tls.SecureContext | undefined;
  /** Verify upstream certificates. */
  readonly rejectUnauthorized: boolean;
}

/** undici, loaded when the first proxy listens: commands such as `capture history list` never pay for it. */
let undici: typeof import('undici') | undefined;

/**
 * The upstream side of the proxy: undici's keep-alive pool for forwarded requests (no cap on
 * connections per origin: a proxy must not queue one client behind another; measured about 40%
 * faster than Node's http.request under the benchmark's load) and the trust store that upstream
 * TLS is verified with, also used by the connections that leave the pool (upgrades).
 */
export class UpstreamPool {
  readonly #config: ResolvedConfig;
  #dispatcher: Dispatcher | undefined;
  #tls: UpstreamTlsState;
  /** HTTP/2 sessions, for origins that negotiated h2 (see `h2-upstream.ts`). */
  readonly h2: H2Sessions;

  constructor(config: ResolvedConfig) {
    this.#config = config;
    this.#tls = { secureContext: undefined, rejectUnauthorized: config.rejectUnauthorized };
    this.h2 = new H2Sessions(config, () => this.#tls);
  }

  /** The pool requests are dispatched through; set once {@link UpstreamPool.open} resolved. */
  get dispatcher(): Dispatcher {
    return this.#dispatcher!;
  }

  /** How upstream TLS is verified now. */
  get tls(): UpstreamTlsState {
    return this.#tls;
  }

  /** Loads undici and creates the pool (once). */
  async open(): Promise<void> {
    undici ??= await import('undici');
    this.#dispatcher ??= this.#createDispatcher();
  }

  /**
   * Replaces how upstream TLS is verified. Connections already pooled are closed so the change
   * applies at once; requests in flight on them finish first.
   */
  setTls(options: UpstreamTlsOptions): void {
    this.#tls = {
      secureContext: options.ca?.length ? trustStoreWith(options.ca) : undefined,
      rejectUnauthorized: options.rejectUnauthorized ?? true,
    };
    this.h2.close();
    const previous = this.#dispatcher;
    if (!previous) return;
    this.#dispatcher = this.#createDispatcher();
    void previous.close().catch(() => undefined);
  }

  /** Destroys the pool and every upstream connection in it. */
  async close(): Promise<void> {
    this.h2.close();
    await this.#dispatcher?.destroy().catch(() => undefined);
  }

  #createDispatcher(): Dispatcher {
    const config = this.#config;
    return new undici!.Agent({
      connections: null,
      pipelining: 1,
      keepAliveTimeout: 4_000,
      headersTimeout: config.upstreamTimeout,
      bodyTimeout: config.upstreamTimeout,
      connect: {
        rejectUnauthorized: this.#tls.rejectUnauthorized,
        ...(this.#tls.secureContext ? { secureContext: this.#tls.secureContext } : {}),
        timeout: Math.min(config.upstreamTimeout, 30_000),
      },
    });
  }
}

/**
 * One TLS context trusting the system's roots, `NODE_EXTRA_CA_CERTS` and `extra`. Built once:
 * passing a CA list per connection instead would make OpenSSL parse ~150 certificates for every
 * new upstream connection.
 */
function trustStoreWith(extra: Array<string | Buffer>): tls.SecureContext {
  const ca: string[] = [...tls.rootCertificates];
  const fromEnv = process.env.NODE_EXTRA_CA_CERTS;
  if (fromEnv) {
    try {
      ca.push(readFileSync(fromEnv, 'utf8'));
    } catch {
      // Node itself only warns about an unreadable NODE_EXTRA_CA_CERTS; so do we, by ignoring it.
    }
  }
  for (const pem of extra) ca.push(pem.toString());
  return tls.createSecureContext({ ca });
}
