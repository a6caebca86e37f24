import crypto, { type KeyObject } from 'node:crypto';
import forge from 'node-forge';

const { pki, asn1 } = forge;
/** forge exports this but its type definitions omit it. */
const getTBSCertificate = (pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate;

/** Sets SHA-256 with RSA on `cert` and returns the DER of the part to sign (cached on it). */
function toBeSigned(cert: forge.pki.Certificate): Buffer {
  cert.siginfo.algorithmOid = pki.oids.sha256WithRSAEncryption!;
  cert.signatureOid = pki.oids.sha256WithRSAEncryption!;
  const tbs = getTBSCertificate(cert);
  // forge serialises with the cached TBSCertificate and the signature set afterwards.
  (cert as forge.pki.Certificate & { tbsCertificate: forge.asn1.Asn1 }).tbsCertificate = tbs;
  return Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
}

/**
 * Signs a forge certificate with SHA-256 and RSA using Node's native crypto. forge builds the
 * DER (that part is fast); its pure-JavaScript RSA signing takes about 100 ms per certificate on
 * this machine against about 2 ms natively, which is the difference between a browser opening
 * a page of new hosts at once and waiting seconds.
 */
export function signCertificate(cert: forge.pki.Certificate, signingKey: KeyObject): void {
  cert.signature = crypto.sign('sha256', toBeSigned(cert), signingKey).toString('binary');
}

/**
 * {@link signCertificate} with the RSA operation on libuv's thread pool, so the proxy's thread
 * keeps serving other clients while per-host certificates are signed.
 */
export async function signCertificateAsync(cert: forge.pki.Certificate, signingKey: KeyObject): Promise<void> {
  const der = toBeSigned(cert);
  const signature = await new Promise<Buffer>((resolve, reject) => crypto.sign('sha256', der, signingKey, (error, result) => (error ? reject(error) : resolve(result))));
  cert.signature = signature.toString('binary');
}

/** A random, positive, non-zero 128-bit serial number in forge's hex form. */
export function randomSerial(): string {
  const bytes = crypto.randomBytes(16);
  // A positive INTEGER with no leading zero byte: clear the top bit, set the next one.
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}
