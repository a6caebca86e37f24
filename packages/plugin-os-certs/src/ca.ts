import { X509Certificate } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CaptureError, type CommandContext } from '@capture/core';

/** The CA certificate as the installers need it: where it is, its bytes and how stores identify it. */
export interface CaCertificate {
  /** The PEM file the stores are given (`<data>/proxy/capture-proxy-ca.crt`). */
  readonly path: string;
  /** The certificate, PEM. */
  readonly pem: string;
  /** SHA-256 fingerprint, colon-separated upper-case hex: how capture finds it in a store. */
  readonly sha256: string;
  /** SHA-1 fingerprint, upper-case hex without colons: how macOS and Windows name it for removal. */
  readonly sha1: string;
  /** The subject's common name, e.g. `capture proxy CA 1a2b3c4d`: the NSS nickname it gets. */
  readonly commonName: string;
}

/** The part of the HTTPS plugin's published API (`HttpsApi`) the installers use. */
export interface HttpsCaSource {
  /** Loads the CA of a data folder, creating it if there is none. */
  ensureCa(dataDir: string): Promise<{ certPath: string; certPem: string }>;
}

/** The contract's place of the CA certificate inside the data folder. */
export function caCertPath(dataDir: string): string {
  return path.join(dataDir, 'proxy', 'capture-proxy-ca.crt');
}

/**
 * The CA to install, for a command. Asks the HTTPS plugin, when the CLI loaded it, to load or
 * create the CA (so `capture ca install` works on a fresh data folder); otherwise reads the
 * certificate from the data folder, where the contract puts it.
 */
export async function caForCommand(context: CommandContext): Promise<CaCertificate> {
  const source = context.plugin?.<Partial<HttpsCaSource>>('https')?.api;
  if (source && typeof source.ensureCa === 'function') {
    const { certPath, certPem } = await source.ensureCa(context.dataDir);
    return caCertificate(certPath, certPem);
  }
  const file = caCertPath(context.dataDir);
  let pem: string;
  try {
    pem = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CaptureError(
      'CA_INVALID',
      code === 'ENOENT'
        ? `os-certs: there is no CA at ${file} yet; create it with "capture ca path" (the https plugin)`
        : `os-certs: cannot read ${file} (${code ?? (error as Error).message})`,
      { cause: error },
    );
  }
  return caCertificate(file, pem);
}

/** Describes a PEM certificate; a file that is not one is an error naming it. */
export function caCertificate(file: string, pem: string): CaCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch (error) {
    throw new CaptureError('CA_INVALID', `os-certs: ${file} is not a PEM certificate (${(error as Error).message})`, { cause: error });
  }
  return { path: file, pem, sha256: x509.fingerprint256, sha1: x509.fingerprint.replaceAll(':', ''), commonName: commonName(x509) ?? 'capture proxy CA' };
}

/** A certificate found in a store, with what identifies it. */
export interface FoundCertificate {
  /** SHA-256 fingerprint, colon-separated upper-case hex (unknown where the store reports SHA-1 only). */
  readonly sha256?: string;
  /** SHA-1 fingerprint, upper-case hex without colons. */
  readonly sha1: string;
  /** Its subject's common name (empty when it has none). */
  readonly commonName: string;
  /** True when its subject is that of a capture CA (`O=capture`, CN `capture proxy CA …`). */
  readonly isCaptureCa: boolean;
}

/** Parses one PEM certificate; undefined when it is not one (stores hold all sorts). */
export function describePem(pem: string): FoundCertificate | undefined {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch {
    return undefined;
  }
  const cn = commonName(x509) ?? '';
  const organisation = subjectField(x509, 'O');
  return { sha256: x509.fingerprint256, sha1: x509.fingerprint.replaceAll(':', ''), commonName: cn, isCaptureCa: organisation === 'capture' && cn.startsWith('capture proxy CA') };
}

/** Every PEM certificate in a text (a bundle file, certutil's or security's output). */
export function pemBlocks(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

function commonName(x509: X509Certificate): string | undefined {
  return subjectField(x509, 'CN');
}

function subjectField(x509: X509Certificate, key: string): string | undefined {
  for (const line of x509.subject.split('\n')) {
    if (line.startsWith(`${key}=`)) return line.slice(key.length + 1);
  }
  return undefined;
}
