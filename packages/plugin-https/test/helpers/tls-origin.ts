import crypto from 'node:crypto';
import https from 'node:https';
import net from 'node:net';
import forge from 'node-forge';
import { startOrigin, type OriginHandler, type TestOrigin } from '@capture/core/testing';
import { randomSerial, signCertificate } from '../../src/sign.js';

/** A self-signed server certificate for test origins (the upstream side, not capture's CA). */
export interface TestCertificate {
  certPem: string;
  keyPem: string;
}

/** Makes a self-signed certificate for `names` (DNS names and IP addresses). */
export function selfSignedCertificate(names: string[] = ['localhost', '127.0.0.1']): TestCertificate {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }) as string);
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  const subject = [{ name: 'commonName', value: `test origin ${names[0]}` }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true },
    { name: 'subjectAltName', altNames: names.map((name) => (net.isIP(name) ? { type: 7, ip: name } : { type: 2, value: name })) },
  ]);
  signCertificate(cert, privateKey);
  return { certPem: forge.pki.certificateToPem(cert), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string };
}

/** An HTTPS origin on 127.0.0.1 with `certificate` (echoes requests by default). */
export async function startTlsOrigin(certificate: TestCertificate, handler?: OriginHandler): Promise<TestOrigin> {
  const server = https.createServer({ key: certificate.keyPem, cert: certificate.certPem });
  return startOrigin(handler, server);
}
