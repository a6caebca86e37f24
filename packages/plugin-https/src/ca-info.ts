import crypto from 'node:crypto';
import type { CertificateAuthority } from './ca-store.js';

/** The CA as other plugins and commands see it (never the private key). */
export interface CaInfo {
  /** Path of the certificate file (PEM), `<data>/proxy/capture-proxy-ca.crt`. */
  readonly certPath: string;
  /** Path of the private key file (mode 0600), for tools that must know where it is. */
  readonly keyPath: string;
  /** The certificate, PEM. */
  readonly certPem: string;
  /** The certificate, DER (what Windows and Android call `.cer`). */
  readonly certDer: Buffer;
  /** SHA-256 fingerprint, colon-separated upper-case hex. */
  readonly fingerprint: string;
  /** The certificate's subject, e.g. `CN=capture proxy CA 1a2b3c4d, O=capture, OU=…`. */
  readonly subject: string;
  /**
   * SHA-256 of the CA's SubjectPublicKeyInfo, base64: the pin Chromium's
   * `--ignore-certificate-errors-spki-list` takes (and HPKP's `pin-sha256`).
   */
  readonly spkiSha256: string;
  /** The subject's common name alone, which is how OS certificate stores list it. */
  readonly commonName: string;
  /** Start of validity. */
  readonly validFrom: Date;
  /** End of validity. */
  readonly validTo: Date;
}

/** The public view of a loaded CA. */
export function caInfo(ca: CertificateAuthority): CaInfo {
  return {
    certPath: ca.paths.cert,
    keyPath: ca.paths.key,
    certPem: ca.certPem,
    certDer: ca.certDer,
    fingerprint: ca.fingerprint,
    spkiSha256: spkiSha256(ca.certPem),
    subject: ca.subject,
    commonName: ca.commonName,
    validFrom: ca.validFrom,
    validTo: ca.validTo,
  };
}

/** The base64 SHA-256 of a certificate's SubjectPublicKeyInfo (DER), as Chromium pins keys. */
export function spkiSha256(certPem: string): string {
  const spki = crypto.createPublicKey(certPem).export({ type: 'spki', format: 'der' });
  return crypto.createHash('sha256').update(spki).digest('base64');
}
