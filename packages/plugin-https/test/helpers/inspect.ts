import { X509Certificate } from 'node:crypto';
import type tls from 'node:tls';
import forge from 'node-forge';

/** The certificate a TLS socket was shown, parsed two ways: Node's view and forge's extensions. */
export interface PeerCertificate {
  x509: X509Certificate;
  forge: forge.pki.Certificate;
  /** The issuer as Node resolved the chain against the trusted CAs, when it did. */
  issuer: X509Certificate | undefined;
  extension(name: string): Record<string, unknown> | undefined;
}

/** Reads what the server presented on `socket`. */
export function peerCertificate(socket: tls.TLSSocket): PeerCertificate {
  const detailed = socket.getPeerCertificate(true);
  const x509 = new X509Certificate(detailed.raw);
  const parsed = forge.pki.certificateFromAsn1(forge.asn1.fromDer(forge.util.createBuffer(detailed.raw.toString('binary'))));
  const issuerRaw = detailed.issuerCertificate?.raw;
  return {
    x509,
    forge: parsed,
    issuer: issuerRaw && !issuerRaw.equals(detailed.raw) ? new X509Certificate(issuerRaw) : undefined,
    extension: (name) => (parsed.getExtension(name) as Record<string, unknown> | null) ?? undefined,
  };
}
