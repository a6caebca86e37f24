import { LRUCache } from 'lru-cache';
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

/** Limits on what {@link HandshakeFailures} prints and remembers. */
export interface HandshakeFailureLimits {
  /** A name's failure is printed at most once per this many milliseconds. Default one minute. */
  windowMs?: number;
  /** At most this many lines per window over all names; the rest go into the summary. Default 10. */
  linesPerWindow?: number;
  /** How many failing names are remembered (least recently failed forgotten first). Default 1000. */
  namesRemembered?: number;
}

/**
 * Turns failed client handshakes into clear lines (reported through the plugin's context,
 * which names the plugin, to `onError`, which the CLI prints) and counts every one. A browser
 * retries a rejected host many times, and a scan or a flood fails for thousands of names: the
 * user hears about each name at most once a minute (retries within it are only counted), about
 * at most `linesPerWindow` names a minute, and about the names beyond that in one "N more"
 * line a minute later. Names are remembered in a bounded LRU (and the summary's distinct names
 * up to the same bound), so a flood of new names cannot grow memory.
 */
export class HandshakeFailures {
  readonly #report: (error: CaptureError) => void;
  readonly #stats: HttpsStats;
  readonly #windowMs: number;
  readonly #linesPerWindow: number;
  /** When each name (`code host`) was last told about; least recently told dropped first. */
  readonly #told: LRUCache<string, number>;
  #windowStart = -Infinity;
  #linesInWindow = 0;
  /** Failures not printed since the last summary, and how many names they were for. */
  #untold = 0;
  readonly #untoldNames = new Set<string>();
  readonly #maxUntoldNames: number;
  #summaryTimer: NodeJS.Timeout | undefined;

  constructor(stats: HttpsStats, report: (error: CaptureError) => void, limits: HandshakeFailureLimits = {}) {
    this.#stats = stats;
    this.#report = report;
    this.#windowMs = limits.windowMs ?? 60_000;
    this.#linesPerWindow = limits.linesPerWindow ?? 10;
    const max = limits.namesRemembered ?? 1000;
    this.#told = new LRUCache<string, number>({ max });
    this.#maxUntoldNames = max;
  }

  /** Records a handshake with `client` for `host` that ended before it completed. */
  record(host: string, client: ClientInfo, end: HandshakeEnd): void {
    const alert = 'error' in end ? /ALERT_([A-Z_]+)$/.exec(end.error.code ?? '')?.[1] : undefined;
    const rejection = alert ? REJECTION_ALERTS[alert] : undefined;
    const closedEarly = 'closed' in end || ('error' in end && (end.error.code === 'ECONNRESET' || end.error.code === 'EPIPE'));
    let code: string;
    if (rejection || closedEarly) {
      this.#stats.rejected++;
      code = 'TLS_CLIENT_REJECTED';
    } else {
      this.#stats.failed++;
      code = 'TLS_HANDSHAKE_FAILED';
    }
    const key = `${code} ${host}`;
    const now = Date.now();
    if (now - this.#windowStart >= this.#windowMs) {
      this.#windowStart = now;
      this.#linesInWindow = 0;
    }
    // A name told about this minute stays quiet (a browser retrying is not news)…
    const told = this.#told.get(key);
    if (told !== undefined && now - told < this.#windowMs) return;
    // …and beyond the minute's lines, new names go into the summary (not marked told, so a
    // name held back now gets its own line in a later minute).
    if (this.#linesInWindow >= this.#linesPerWindow) return this.#holdBack(host);
    this.#told.set(key, now);
    this.#linesInWindow++;
    this.#report(new CaptureError(code, describe(code, host, client, end, rejection)));
  }

  /** Prints the summary of what was held back, if anything was (the plugin's close calls it). */
  flush(): void {
    clearTimeout(this.#summaryTimer);
    this.#summaryTimer = undefined;
    if (this.#untold === 0) return;
    const names = this.#untoldNames.size;
    const count = this.#untold;
    this.#untold = 0;
    this.#untoldNames.clear();
    const failures = count === 1 ? '1 more failed TLS handshake' : `${count} more failed TLS handshakes`;
    const those = names >= this.#maxUntoldNames ? `at least ${names} names` : names === 1 ? '1 name' : `${names} names`;
    this.#report(new CaptureError('TLS_HANDSHAKES_HELD_BACK', `${failures} (${those}) in the last minute, not shown one by one to keep the log readable; the https plugin's stats count them all`));
  }

  /** Counts a failure that is not printed, and makes sure a summary follows within the window. */
  #holdBack(host: string): void {
    this.#untold++;
    if (this.#untoldNames.size < this.#maxUntoldNames) this.#untoldNames.add(host);
    // One summary per window at most; unref'd so it never keeps a closing process alive.
    this.#summaryTimer ??= setTimeout(() => this.flush(), this.#windowMs).unref();
  }
}

/** The one line for a failed handshake, with the fix when the client did not trust capture. */
function describe(code: string, host: string, client: ClientInfo, end: HandshakeEnd, rejection: string | undefined): string {
  if (code === 'TLS_CLIENT_REJECTED') {
    const fix = `install capture's CA on that device (open http://capture.proxy/ there, or run "capture ca install" on this machine), or add "${host}" to passthrough if the app pins certificates`;
    return rejection
      ? `client ${client.address} rejected capture's certificate for ${host} (${rejection}); ${fix}`
      : `client ${client.address} closed the connection during the TLS handshake for ${host}, likely because it does not trust capture's certificate; ${fix}`;
  }
  const reason = 'timedOut' in end ? `no handshake within ${end.timedOut / 1000} s` : 'error' in end ? `${end.error.message}${end.error.code ? ` (${end.error.code})` : ''}` : 'closed';
  return `TLS handshake with client ${client.address} for ${host} failed: ${reason}`;
}
