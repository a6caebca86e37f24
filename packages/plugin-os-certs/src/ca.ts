import { X509Certificate } from 'node:crypto';
import { CaptureError, type CommandContext } from '@capture/core';
// Types only, erased at build: plugins never import each other at run time. Loading them also
// loads the https plugin's registry entry, which types `context.plugin('https')`.
import type { HttpsApi } from '@capture/plugin-https';

/** The CA certificate as the installers need it: where it is, its bytes and how stores identify it. */
export interface CaCertificate {
  /** The PEM file the stores are given: where the HTTPS plugin keeps the CA certificate. */
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

/**
 * The CA to install, for a command: asked of the HTTPS plugin, which owns the CA (its files, their
 * place in the data folder, creating it on a fresh folder so `capture ca install` just works).
 * Without that plugin loaded there is no CA to ask for: an error saying so.
 */
export async function caForCommand(context: CommandContext): Promise<CaCertificate> {
  const https: HttpsApi | undefined = context.plugin?.('https')?.api;
  if (!https) {
    throw new CaptureError(
      'PLUGIN_DEPENDENCY_MISSING',
      "the os-certs commands install the https plugin's CA, and @capture/plugin-https is not loaded: list https before os-certs in the config's plugins",
    );
  }
  const { certPath, certPem } = await https.ensureCa(context.dataDir);
  return caCertificate(certPath, certPem);
}

/** Describes a PEM certificate; a file that is not one is an error naming it. */
export function caCertificate(file: string, pem: string): CaCertificate {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch (error) {
    throw new CaptureError('CA_INVALID', `${file} is not a PEM certificate (${(error as Error).message})`, { cause: error });
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
