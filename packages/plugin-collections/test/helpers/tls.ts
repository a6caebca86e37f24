import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** A self-signed certificate for a test origin (the upstream side, not capture's CA). */
export interface TestCertificate {
  certPem: string;
  keyPem: string;
  /** The certificate's file, for `upstreamCa`. */
  certFile: string;
}

/** Makes a self-signed certificate for localhost and 127.0.0.1 with openssl, in `dir`. */
export function selfSignedCertificate(dir: string): TestCertificate {
  const certFile = path.join(dir, 'origin.crt');
  const keyFile = path.join(dir, 'origin.key');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile,
  ], { stdio: 'ignore' });
  return { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8'), certFile };
}
