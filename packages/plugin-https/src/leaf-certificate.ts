import type { KeyObject } from 'node:crypto';
import net from 'node:net';
import forge from 'node-forge';
import { BACKDATE_MS } from './ca-generate.js';
import type { CertificateAuthority } from './ca-store.js';
import { randomSerial, signCertificateAsync } from './sign.js';

const { pki, util } = forge;
const DAY = 24 * 60 * 60 * 1000;
/** Apple and the CA/Browser Forum cap TLS server certificates at 398 days; stay under it. */
const LEAF_VALIDITY_MS = 397 * DAY;
/** X.520's upper bound for a common name; longer host names go in the SAN only. */
const MAX_COMMON_NAME = 64;

/** A per-host certificate: PEM, and when it stops being valid. */
export interface LeafCertificate {
  readonly certPem: string;
  readonly notAfter: Date;
}

/** What every leaf takes from its CA, parsed by forge once per CA (this module loads on the first issuance). */
interface Issuer {
  /** The CA's subject, every leaf's issuer. */
  readonly subject: forge.pki.CertificateField[];
  /** The CA's subject key identifier (raw bytes as a binary string), every leaf's authority key identifier. */
  readonly keyIdentifier: string;
}

const issuers = new WeakMap<CertificateAuthority, Issuer>();
const publicKeys = new WeakMap<KeyObject, forge.pki.PublicKey>();

function issuerOf(ca: CertificateAuthority): Issuer {
  let issuer = issuers.get(ca);
  if (!issuer) {
    const cert = pki.certificateFromPem(ca.certPem);
    const ski = cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
    issuer = {
      subject: cert.subject.attributes,
      keyIdentifier: ski?.subjectKeyIdentifier ? util.hexToBytes(ski.subjectKeyIdentifier) : cert.generateSubjectKeyIdentifier().getBytes(),
    };
    issuers.set(ca, issuer);
  }
  return issuer;
}

function forgePublicKey(key: KeyObject): forge.pki.PublicKey {
  let forgeKey = publicKeys.get(key);
  if (!forgeKey) {
    forgeKey = pki.publicKeyFromPem(key.export({ type: 'spki', format: 'pem' }) as string);
    publicKeys.set(key, forgeKey);
  }
  return forgeKey;
}

/**
 * Issues a certificate for one host (or several names: the first is the common name, every one
 * is in the subjectAltName), signed by the CA, for the shared leaf key. Made to be
 * accepted by iOS, Android, Chrome, Firefox, Windows and curl: the name in the subjectAltName
 * (an IP address as an IP SAN), extendedKeyUsage serverAuth, an authorityKeyIdentifier equal
 * to the CA's subjectKeyIdentifier and no subjectKeyIdentifier of its own (Windows SChannel
 * mis-builds chains when a leaf's equals its issuer's), at most 397 days of validity backdated
 * two days for clock skew and never past the CA's own end, and a random 128-bit serial.
 * Signed with the RSA work off the proxy's thread ({@link signCertificateAsync}).
 */
export async function issueLeafCertificate(ca: CertificateAuthority, publicKey: KeyObject, names: string | readonly string[], now = new Date()): Promise<LeafCertificate> {
  const all = typeof names === 'string' ? [names] : names;
  const hostname = all[0]!;
  const issuer = issuerOf(ca);
  const cert = pki.createCertificate();
  cert.publicKey = forgePublicKey(publicKey);
  cert.serialNumber = randomSerial();
  const notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(Math.min(notBefore.getTime() + LEAF_VALIDITY_MS, ca.validTo.getTime()));
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  const subject: forge.pki.CertificateField[] = [{ name: 'organizationName', value: 'capture' }];
  if (hostname.length <= MAX_COMMON_NAME) subject.unshift({ name: 'commonName', value: hostname });
  cert.setSubject(subject);
  cert.setIssuer(issuer.subject);
  // An IP address is an IP SAN (iOS and Chrome ignore IPs written as DNS names).
  const altNames = all.map((name) => (net.isIP(name) ? { type: 7, ip: name } : { type: 2, value: name }));
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'authorityKeyIdentifier', keyIdentifier: issuer.keyIdentifier },
  ]);
  // Signed on the thread pool: the proxy's thread serves other clients meanwhile.
  await signCertificateAsync(cert, ca.key);
  return { certPem: pki.certificateToPem(cert), notAfter };
}
