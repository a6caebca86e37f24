import forge from 'node-forge';
import type { CaInfo } from './ca-info.js';

/**
 * The certificate alone in a PKCS#12 file (no private key), with an empty password, which is
 * what iOS profile installation and the Windows import wizard accept. The certificate bag is
 * not encrypted, so there is nothing to protect; the MAC keeps strict readers happy. Its own
 * module: node-forge and the key derivation behind the MAC are loaded and run only when
 * someone downloads the `.p12`, not on every start.
 */
export function caToPkcs12(info: CaInfo): Buffer {
  const cert = forge.pki.certificateFromPem(info.certPem);
  const p12 = forge.pkcs12.toPkcs12Asn1(null, [cert], '', { friendlyName: info.commonName, algorithm: '3des' });
  return Buffer.from(forge.asn1.toDer(p12).getBytes(), 'binary');
}
