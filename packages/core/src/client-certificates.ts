import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { CaptureError } from './errors.js';
import { compileHostPattern, hostMatcher, type HostMatcher } from './host-pattern.js';

/**
 * A client certificate presented to origins whose host matches `host` (`api.corp.example`,
 * `*.corp.example`, `/regex/`): a PKCS#12 bundle (`pfx`, with `passphrase` when it has one) or a
 * PEM certificate and key (`cert`, `key`; one file may hold both). Each is a file path, or the
 * content itself (a Buffer, or a string starting with `-----BEGIN`).
 */
export type ClientCertificateConfig =
  | { host: string; pfx: string | Uint8Array; passphrase?: string }
  | { host: string; cert: string | Uint8Array; key: string | Uint8Array; passphrase?: string };

/** A client certificate, loaded and checked: the TLS options to present it with. */
export interface LoadedClientCertificate {
  /** Where it came from, for messages (`client certificate ./me.p12`). */
  readonly file: string;
  /** `pfx`/`passphrase` or `cert`/`key`/`passphrase`, as `tls.createSecureContext` takes them. */
  readonly options: Pick<tls.SecureContextOptions, 'pfx' | 'cert' | 'key' | 'passphrase'>;
}

/**
 * The configured client certificates, loaded once when the proxy is created: a file that is
 * missing, unreadable, not a certificate, or whose passphrase is missing or wrong stops the
 * start with one line naming the file. The first entry whose host matches wins.
 */
export class ClientCertificates {
  readonly #entries: Array<{ matches: HostMatcher; certificate: LoadedClientCertificate }> = [];

  constructor(entries: readonly ClientCertificateConfig[]) {
    for (const [index, entry] of entries.entries()) {
      const pattern = compileHostPattern(entry.host);
      if (typeof pattern === 'string') throw new CaptureError('CONFIG_INVALID', `option "clientCertificates.${index}.host": ${pattern}`);
      const certificate = load(entry, index);
      this.#entries.push({ matches: hostMatcher([pattern]), certificate });
    }
  }

  /** True when no client certificate is configured. */
  get empty(): boolean {
    return this.#entries.length === 0;
  }

  /** The certificate to present to `hostname`, if one matches. */
  for(hostname: string): LoadedClientCertificate | undefined {
    return this.#entries.find((entry) => entry.matches(hostname))?.certificate;
  }
}

function load(entry: ClientCertificateConfig, index: number): LoadedClientCertificate {
  const where = `option "clientCertificates.${index}"`;
  const read = (value: string | Uint8Array, key: string): { data: Buffer | string; file: string } => {
    if (typeof value !== 'string') return { data: Buffer.from(value), file: `${where}.${key} (inline)` };
    if (value.trimStart().startsWith('-----BEGIN')) return { data: value, file: `${where}.${key} (inline PEM)` };
    try {
      return { data: readFileSync(value), file: value };
    } catch (error) {
      throw new CaptureError('CONFIG_INVALID', `client certificate ${value}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
  };
  const passphrase = entry.passphrase !== undefined ? { passphrase: entry.passphrase } : {};
  let options: LoadedClientCertificate['options'];
  let file: string;
  if ('pfx' in entry) {
    const pfx = read(entry.pfx, 'pfx');
    file = pfx.file;
    options = { pfx: pfx.data, ...passphrase };
  } else {
    const cert = read(entry.cert, 'cert');
    const key = entry.key === entry.cert ? cert : read(entry.key, 'key');
    file = cert.file;
    options = { cert: cert.data, key: key.data, ...passphrase };
  }
  try {
    // Building the context once here is the check: it parses the bundle and decrypts the key.
    tls.createSecureContext(options);
  } catch (error) {
    throw new CaptureError('CONFIG_INVALID', `client certificate ${file}: ${describeLoadError(error as Error & { code?: string }, entry.passphrase !== undefined)}`);
  }
  return { file, options };
}

function describeLoadError(error: Error & { code?: string }, hasPassphrase: boolean): string {
  const text = `${error.message} ${error.code ?? ''}`.toLowerCase();
  if (/mac verify|bad decrypt|bad password|decrypt|passphrase|interrupted or cancelled/.test(text)) {
    return hasPassphrase ? 'wrong passphrase' : 'it is encrypted: a passphrase is needed (config "passphrase", or CAPTURE_CLIENT_CERT_PASSPHRASE with --client-cert)';
  }
  if (/no start line|not enough data|asn1|wrong tag|header too long|unsupported/.test(text)) return `not a PKCS#12 bundle or PEM certificate with its key (${error.message})`;
  if (/key values mismatch/.test(text)) return 'the key does not belong to the certificate';
  return error.message;
}
