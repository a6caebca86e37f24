import { promises as fs, watch, type FSWatcher, type Stats } from 'node:fs';
import { CaptureError } from '@capture/core';
import type { CaPaths } from './ca-files.js';
import { isLocked } from './ca-lock.js';
import { loadCa, type CertificateAuthority } from './ca-store.js';

/** Changes to the CA folder are read this long after the last one (a regeneration writes two files). */
const DEBOUNCE_MS = 100;
/** A CA caught half-written (or still locked) is read again this often, this many times, before the old one is kept. */
const RETRY_MS = 150;
const MAX_RETRIES = 20;

/** What the certificate file looked like when the CA in use was read. */
function signature(stats: Stats | undefined): string {
  return stats ? `${stats.ino}:${stats.size}:${stats.mtimeMs}` : 'missing';
}

/**
 * Keeps a running proxy on the CA its files hold: `capture ca regenerate` from another process
 * replaces them, and the proxy must sign with and serve the new CA at once, not after a restart.
 * The `proxy/` folder is watched (debounced); as a fallback for file systems where fs.watch says
 * nothing, {@link check} compares the certificate file's inode, size and mtime before each
 * interception. A changed CA (by fingerprint) is handed to `onChange`; one that cannot be read
 * is retried for a while (a regeneration in progress), then reported and the old one kept.
 */
export class CaReloader {
  readonly #paths: CaPaths;
  readonly #onChange: (ca: CertificateAuthority) => void;
  readonly #report: (error: CaptureError) => void;
  #fingerprint: string;
  #signature = '';
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #pending: Promise<void> | undefined;
  #closed = false;

  constructor(ca: CertificateAuthority, handlers: { onChange: (ca: CertificateAuthority) => void; report: (error: CaptureError) => void }) {
    this.#paths = ca.paths;
    this.#fingerprint = ca.fingerprint;
    this.#onChange = handlers.onChange;
    this.#report = handlers.report;
  }

  /** Records the current file signature and starts watching the folder. */
  async start(): Promise<void> {
    this.#signature = signature(await fs.stat(this.#paths.cert).catch(() => undefined));
    try {
      this.#watcher = watch(this.#paths.dir, { persistent: false }, () => this.#schedule(DEBOUNCE_MS));
      this.#watcher.on('error', () => this.#stopWatching());
    } catch {
      // No watching here (an unusual file system): the check before each interception remains.
      this.#watcher = undefined;
    }
  }

  /** Reloads the CA if its certificate file changed since it was read; resolves once it is current. */
  async check(): Promise<void> {
    if (this.#closed) return;
    if (this.#pending) return this.#pending;
    const now = signature(await fs.stat(this.#paths.cert).catch(() => undefined));
    if (now === this.#signature) return;
    return this.#reload();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#stopWatching();
  }

  #stopWatching(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }

  #schedule(delay: number, attempt = 0): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#reload(attempt), delay);
    this.#timer.unref();
  }

  #reload(attempt = 0): Promise<void> {
    if (this.#pending) return this.#pending;
    this.#pending = this.#load(attempt).finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #load(attempt: number): Promise<void> {
    if (this.#closed) return;
    const before = signature(await fs.stat(this.#paths.cert).catch(() => undefined));
    let ca: CertificateAuthority;
    try {
      if (await isLocked(this.#paths)) throw new CaptureError('CA_INVALID', 'the CA is being replaced');
      ca = await loadCa(this.#paths);
    } catch (error) {
      if (attempt < MAX_RETRIES) return this.#schedule(RETRY_MS, attempt + 1);
      // Given up: remember this state so the check does not retry on every connection, and say so.
      this.#signature = before;
      this.#report(
        new CaptureError('CA_RELOAD_FAILED', `the CA files changed but cannot be used (${(error as Error).message}); still signing with the CA ${this.#fingerprint}`, { cause: error }),
      );
      return;
    }
    this.#signature = before;
    if (ca.fingerprint === this.#fingerprint) return;
    this.#fingerprint = ca.fingerprint;
    this.#onChange(ca);
  }
}
