import type { Dispatcher } from 'undici';
import type { UpstreamProxy } from './upstream-proxy.js';
import { UpstreamProxyError } from './upstream-tunnel.js';

/**
 * Wraps an exchange's undici handler for a request sent in absolute form to an HTTP upstream
 * proxy: the proxy's own refusal (407) and a failure to reach the proxy become an
 * {@link UpstreamProxyError} (502, one line naming the proxy) instead of a response the origin
 * never sent; everything else passes through untouched.
 */
export class ViaProxyHandler implements Dispatcher.DispatchHandler {
  readonly #inner: Dispatcher.DispatchHandler;
  readonly #proxy: UpstreamProxy;
  #abort: ((error?: Error) => void) | undefined;
  #refused = false;

  constructor(inner: Dispatcher.DispatchHandler, proxy: UpstreamProxy) {
    this.#inner = inner;
    this.#proxy = proxy;
  }

  onConnect(abort: (error?: Error) => void): void {
    this.#abort = abort;
    this.#inner.onConnect?.(abort);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode === 407) {
      this.#refused = true;
      const proxy = this.#proxy;
      const message = proxy.username
        ? `upstream proxy ${proxy.display} refused the credentials in its URL (407 Proxy Authentication Required)`
        : `upstream proxy ${proxy.display} requires authentication (407 Proxy Authentication Required); put user:pass@ in its URL`;
      this.#abort?.(new UpstreamProxyError(message));
      return false;
    }
    return this.#inner.onHeaders?.(statusCode, rawHeaders, resume, statusText) ?? true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#refused) return true;
    return this.#inner.onData?.(chunk) ?? true;
  }

  onComplete(trailers: string[] | null): void {
    if (this.#refused) return;
    this.#inner.onComplete?.(trailers);
  }

  onError(error: Error & { code?: string }): void {
    // Before the request reached a connection, the failure is the proxy's: unreachable, refused, TLS.
    if (!this.#abort && !(error instanceof UpstreamProxyError) && error.code !== 'UND_ERR_ABORTED') {
      const reason = error.code ?? error.message;
      return this.#inner.onError?.(new UpstreamProxyError(`upstream proxy ${this.#proxy.display} cannot be reached (${reason})`));
    }
    this.#inner.onError?.(error);
  }
}
