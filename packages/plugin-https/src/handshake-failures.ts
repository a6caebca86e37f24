import { CaptureError, type ClientInfo } from '@capture/core';

/** Counts of what happened to CONNECT tunnels, readable through the plugin's API. */
export interface HttpsStats {
  /** TLS connections terminated and handed to the proxy. */
  intercepted: number;
  /** Of those, connections on which the client speaks HTTP/2. */
  http2: number;
  /** Tunnels passed through blindly (passthrough hosts and non-TLS traffic). */
  passedThrough: number;
  /** Handshakes a client ended because it did not accept capture's certificate. */
  rejected: number;
  /** Other failed handshakes (no shared cipher, timeouts, garbage). */
  failed: number;
}

/** TLS alerts a client sends when it does not accept the certificate it was shown. */
const REJECTION_ALERTS: Record<string, string> = {
  UNKNOWN_CA: 'unknown CA',
  BAD_CERTIFICATE: 'bad certificate',
  CERTIFICATE_UNKNOWN: 'certificate unknown',
  UNSUPPORTED_CERTIFICATE: 'unsupported certificate',
  CERTIFICATE_EXPIRED: 'certificate expired',
  CERTIFICATE_REVOKED: 'certificate revoked',
  ACCESS_DENIED: 'access denied',
};

/** Why a client's handshake did not complete: an error, the client closing, or our own timeout. */
export type HandshakeEnd = { error: Error & { code?: string } } | { closed: true } | { timedOut: number };

/**
 * Turns failed client handshakes into one clear line per host (reported through the plugin's
 * context, which names the plugin, to `onError`, which the CLI prints) and counts every one. A browser retries a rejected host many times; the
 * user needs to hear about it once, with the fix, not a screenful.
 */
export class HandshakeFailures {
  readonly #report: (error: CaptureError) => void;
  readonly #stats: HttpsStats;
  readonly #told = new Set<string>();

  constructor(stats: HttpsStats, report: (error: CaptureError) => void) {
    this.#stats = stats;
    this.#report = report;
  }

  /** Records a handshake with `client` for `host` that ended before it completed. */
  record(host: string, client: ClientInfo, end: HandshakeEnd): void {
    const alert = 'error' in end ? /ALERT_([A-Z_]+)$/.exec(end.error.code ?? '')?.[1] : undefined;
    const rejection = alert ? REJECTION_ALERTS[alert] : undefined;
    const closedEarly = 'closed' in end || ('error' in end && (end.error.code === 'ECONNRESET' || end.error.code === 'EPIPE'));
    const fix = `install capture's CA on that device (open http://capture.proxy/ there, or run "capture ca install" on this machine), or add "${host}" to passthrough if the app pins certificates`;
    let code: string;
    let message: string;
    if (rejection || closedEarly) {
      this.#stats.rejected++;
      code = 'TLS_CLIENT_REJECTED';
      message = rejection
        ? `client ${client.address} rejected capture's certificate for ${host} (${rejection}); ${fix}`
        : `client ${client.address} closed the connection during the TLS handshake for ${host}, likely because it does not trust capture's certificate; ${fix}`;
    } else {
      this.#stats.failed++;
      code = 'TLS_HANDSHAKE_FAILED';
      const reason = 'timedOut' in end ? `no handshake within ${end.timedOut / 1000} s` : `${end.error.message}${end.error.code ? ` (${end.error.code})` : ''}`;
      message = `TLS handshake with client ${client.address} for ${host} failed: ${reason}`;
    }
    const key = `${code} ${host}`;
    if (this.#told.has(key)) return;
    this.#told.add(key);
    this.#report(new CaptureError(code, message));
  }
}
