import crypto, { type KeyObject } from 'node:crypto';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { LRUCache } from 'lru-cache';
import { stripBrackets } from '@capture/core';
import type { CertificateAuthority } from './ca-store.js';
import { IssuanceQueue } from './issuance-queue.js';
import type { LeafCertificate } from './leaf-certificate.js';

const generateKeyPair = promisify(crypto.generateKeyPair);
/** Certificates this close to their end are issued again rather than served. */
const RENEW_BEFORE_MS = 24 * 60 * 60 * 1000;

interface CachedContext {
  readonly context: tls.SecureContext;
  readonly certPem: string;
  readonly notAfter: Date;
}

/**
 * Who asks for a certificate: issuances are queued per client (see {@link IssuanceQueue}), and
 * one whose connection closed while it waited is dropped.
 */
export interface CertificateRequester {
  /** The client's address. */
  readonly client: string;
  /** True once the connection that needs the certificate is gone. */
  gone(): boolean;
}

/** Requests from the plugin's API (`certificateFor`), which have no client. */
const API_REQUESTER: CertificateRequester = { client: '', gone: () => false };

/** The one key pair every per-host certificate shares. */
interface LeafKey {
  readonly keyPem: string;
  readonly publicKey: KeyObject;
}

/**
 * Issues a leaf certificate. The module (node-forge builds the DER) loads on the first issuance,
 * not at start: a proxy that intercepts nothing never pays for it.
 */
const issueLeafCertificate = async (ca: CertificateAuthority, publicKey: KeyObject, names: readonly string[]): Promise<LeafCertificate> =>
  (await import('./leaf-certificate.js')).issueLeafCertificate(ca, publicKey, names);

/**
 * Per-host TLS contexts for intercepted connections. One RSA key pair, generated natively once
 * (at the first issuance), serves every host (generating a key per host is what makes other proxies crawl on new hosts);
 * contexts are kept in a bounded LRU, and a host's certificate is issued once even when many of
 * its first connections arrive together (the cache's fetch shares one pending issuance).
 * Issuances run through an {@link IssuanceQueue}: a bounded number in flight per client.
 */
export class CertificateCache {
  #ca: CertificateAuthority;
  /** Generated on the first issuance: a proxy that intercepts nothing spends no RSA key generation at start. */
  #leafKey: Promise<LeafKey> | undefined;
  readonly #cache: LRUCache<string, CachedContext, CertificateRequester>;
  readonly #queue: IssuanceQueue;
  #issued = 0;

  constructor(ca: CertificateAuthority, options: { max: number; perClient?: number }) {
    this.#ca = ca;
    this.#queue = new IssuanceQueue(options.perClient);
    this.#cache = new LRUCache<string, CachedContext, CertificateRequester>({
      max: options.max,
      fetchMethod: (hostname, _stale, { context }) => this.#queue.run(context.client, () => this.#issue(hostname), context.gone),
    });
  }

  /**
   * Signs with another CA from now on (a regenerated one): every certificate in memory is
   * forgotten, so each host's next connection gets a certificate from the new CA.
   */
  setCa(ca: CertificateAuthority): void {
    this.#ca = ca;
    this.#cache.clear();
  }

  /** How many certificates were issued so far (cache misses). */
  get issued(): number {
    return this.#issued;
  }

  /** True when the certificate for `names` (one host, or a list as {@link CertificateCache.contextFor} takes it) is in memory (no issuance needed). */
  has(names: CertificateNames): boolean {
    return this.#cache.has(cacheKey(names));
  }

  /** How many hosts have a certificate in memory. */
  get size(): number {
    return this.#cache.size;
  }

  /** How many issuances wait for their client's slot. */
  get waiting(): number {
    return this.#queue.waiting;
  }

  /**
   * The TLS context presenting a certificate for `hostname` (a DNS name or an IP address; a list
   * of them gives one certificate naming each, the first as its common name), or `undefined`
   * when `requester`'s connection closed before its turn came.
   */
  async contextFor(hostname: CertificateNames, requester: CertificateRequester = API_REQUESTER): Promise<tls.SecureContext | undefined> {
    return (await this.#entry(hostname, requester))?.context;
  }

  /** The PEM certificate served for `hostname`, issuing it if needed. */
  async certificateFor(hostname: string): Promise<string> {
    return (await this.#entry(hostname, API_REQUESTER))!.certPem;
  }

  async #entry(hostname: CertificateNames, requester: CertificateRequester): Promise<CachedContext | undefined> {
    const host = cacheKey(hostname);
    let entry = await this.#cache.fetch(host, { context: requester });
    if (entry && entry.notAfter.getTime() - Date.now() < RENEW_BEFORE_MS) {
      this.#cache.delete(host);
      entry = await this.#cache.fetch(host, { context: requester });
    }
    // A pending issuance is shared by everyone asking for the host; when the client that
    // queued it left before its turn, the others ask again under their own names.
    if (!entry && !requester.gone()) entry = await this.#cache.fetch(host, { context: requester });
    if (entry) return entry;
    if (requester.gone()) return undefined;
    throw new Error(`no certificate could be issued for ${host}`);
  }

  async #issue(cached: string): Promise<CachedContext> {
    const key = await (this.#leafKey ??= generateLeafKey());
    const names = cached.split(NAME_SEPARATOR);
    let ca = this.#ca;
    let leaf = await issueLeafCertificate(ca, key.publicKey, names);
    // The CA was regenerated while this one was being signed: sign again with the new one.
    while (ca !== this.#ca) {
      ca = this.#ca;
      leaf = await issueLeafCertificate(ca, key.publicKey, names);
    }
    this.#issued++;
    // The CA goes after the leaf: a client that trusts the CA by its key pin alone (Chromium's
    // --ignore-certificate-errors-spki-list) needs the CA in the chain, as it has no copy of it.
    const context = tls.createSecureContext({ key: key.keyPem, cert: `${leaf.certPem}${ca.certPem}` });
    return { context, certPem: leaf.certPem, notAfter: leaf.notAfter };
  }
}

/** One host, or the names one certificate covers (the first is its common name). */
export type CertificateNames = string | readonly string[];

/** Between the names of a multi-name certificate's cache key: never part of a host name or an IP address. */
const NAME_SEPARATOR = ' ';

/** The cache key: the names normalized, in order, without repeats. */
function cacheKey(names: CertificateNames): string {
  // `[::1]` (as a URL writes it) and `::1` are one host, and its certificate needs an IP SAN.
  const normalized = (typeof names === 'string' ? [names] : names).map((name) => stripBrackets(name.toLowerCase()).replace(/\.$/, ''));
  return [...new Set(normalized)].join(NAME_SEPARATOR);
}

async function generateLeafKey(): Promise<LeafKey> {
  const { privateKey, publicKey } = await generateKeyPair('rsa', { modulusLength: 2048 });
  return {
    // PKCS#1 parses measurably faster than PKCS#8 in OpenSSL 3, and every new host's context parses it.
    keyPem: privateKey.export({ type: 'pkcs1', format: 'pem' }) as string,
    publicKey,
  };
}
