import crypto from 'node:crypto';
import forge from 'node-forge';
import { randomSerial, signCertificate } from './sign.js';

const { pki } = forge;
const DAY = 24 * 60 * 60 * 1000;
/** How long a new CA is valid: long enough that nobody reinstalls it for years. */
const CA_VALIDITY_YEARS = 10;
/** Clock skew allowance: devices with a slow clock must not see a certificate from the future. */
export const BACKDATE_MS = 2 * DAY;

/** A freshly generated CA, as PEM text. */
export interface GeneratedCa {
  certPem: string;
  keyPem: string;
}

/**
 * Generates a new CA with node-forge (whose RSA key generation uses Node's native crypto when
 * it can): RSA 2048, a subject with a random suffix so no two installs share a name, critical
 * basicConstraints CA:true, critical keyUsage keyCertSign and cRLSign, and a subject key identifier.
 */
export async function generateCa(now = new Date()): Promise<GeneratedCa> {
  const keys = await new Promise<forge.pki.rsa.KeyPair>((resolve, reject) =>
    pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 }, (error, pair) => (error ? reject(error) : resolve(pair))),
  );
  const cert = pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(now.getTime() - BACKDATE_MS);
  const notAfter = new Date(now);
  notAfter.setFullYear(notAfter.getFullYear() + CA_VALIDITY_YEARS);
  cert.validity.notAfter = notAfter;
  const suffix = crypto.randomBytes(4).toString('hex');
  const subject = [
    { name: 'commonName', value: `capture proxy CA ${suffix}` },
    { name: 'organizationName', value: 'capture' },
    { name: 'organizationalUnitName', value: 'capture HTTPS interception' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  const keyPem = pki.privateKeyToPem(keys.privateKey);
  signCertificate(cert, crypto.createPrivateKey(keyPem));
  return { certPem: pki.certificateToPem(cert), keyPem };
}
