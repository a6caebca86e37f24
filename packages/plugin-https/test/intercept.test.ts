import { execFile } from 'node:child_process';
import { createHash, createPublicKey, X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import type { TestOrigin } from '@capture/core/testing';
import { collectExchanges, type ExchangeCollector } from '@capture/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Exchange } from '@capture/core';
import { curlThroughProxy } from './helpers/curl.js';
import { startHttpsProxy, tempDataDir, type HttpsTestProxy } from './helpers/https-proxy.js';
import { peerCertificate, type PeerCertificate } from './helpers/inspect.js';
import { getOverSocket, tlsThroughProxy } from './helpers/through-proxy.js';
import { selfSignedCertificate, startTlsOrigin } from './helpers/tls-origin.js';

const execFileAsync = (file: string, args: string[], options: { input: string }) =>
  new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
    const child = execFile(file, args, { timeout: 15_000 }, (error, stdout, stderr) => (error ? reject(error) : resolve({ stdout, stderr })));
    child.stdin?.end(options.input);
  });
const DAY = 24 * 3600 * 1000;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';

let origin: TestOrigin;
let proxy: HttpsTestProxy;
let exchanges: ExchangeCollector;
let files: ReturnType<typeof tempDataDir>;
let caFile: string;

beforeAll(async () => {
  files = tempDataDir();
  const originCert = selfSignedCertificate(['localhost', '127.0.0.1']);
  const originCaFile = path.join(files.dir, 'origin.pem');
  writeFileSync(originCaFile, originCert.certPem);
  origin = await startTlsOrigin(originCert);
  proxy = await startHttpsProxy({ upstreamCa: [originCaFile] });
  caFile = path.join(files.dir, 'capture-ca.pem');
  writeFileSync(caFile, proxy.caPem);
  exchanges = collectExchanges(proxy.proxy);
});

afterAll(async () => {
  await proxy?.close();
  await origin?.close();
  files?.remove();
});

// Made-up names (`*.test`) travel only in SNI; every CONNECT goes to localhost or an IP, so the
// ALPN probe never looks a name up off this machine.
describe('HTTPS interception', () => {
  it('curl --cacert through the proxy reaches a local TLS origin, and the exchange is captured with an https:// URL', async () => {
    const result = await curlThroughProxy(proxy.port, ['--cacert', caFile, `https://localhost:${origin.port}/hello?x=1`]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ method: 'GET', url: '/hello?x=1' });
    const exchange = await captured((entry) => entry.request.url.endsWith('/hello?x=1'));
    expect(exchange).toMatchObject({ tls: true, request: { url: `https://localhost:${origin.port}/hello?x=1` }, response: { statusCode: 200 } });
  });

  it('curl without the CA fails with a certificate error', async () => {
    const result = await curlThroughProxy(proxy.port, [`https://localhost:${origin.port}/`]);
    expect(result.code).toBe(60);
    expect(result.stderr).toMatch(/certificate/i);
  });

  it('gives a client preferring h2 HTTP/1.1 when the origin speaks HTTP/1.1 only', async () => {
    const result = await curlThroughProxy(proxy.port, ['--http2', '--cacert', caFile, '-o', '/dev/null', '-w', '%{http_version}', `https://localhost:${origin.port}/`]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('1.1');
    const socket = await tlsThroughProxy(proxy.port, `localhost:${origin.port}`, { ca: proxy.caPem, ALPNProtocols: ['h2', 'http/1.1'] });
    expect(socket.alpnProtocol).toBe('http/1.1');
    socket.destroy();
  });

  it('presents a leaf that chains to the CA, with the name in the SAN, serverAuth, AKI = CA SKI, no SKI, and bounded backdated validity', async () => {
    const socket = await tlsThroughProxy(proxy.port, `localhost:${origin.port}`, { ca: proxy.caPem, servername: 'leaf-check.test' });
    try {
      expect(socket.authorized).toBe(true);
      const leaf = peerCertificate(socket);
      expect(leaf.issuer?.fingerprint256).toBe(proxy.api.ca!.fingerprint);
      expect(leaf.x509.verify(leaf.issuer!.publicKey)).toBe(true);
      expect(leaf.x509.subjectAltName).toBe('DNS:leaf-check.test');
      expect(leaf.x509.ca).toBe(false);
      expect(leaf.x509.keyUsage).toContain(SERVER_AUTH);
      const notBefore = new Date(leaf.x509.validFrom).getTime();
      const notAfter = new Date(leaf.x509.validTo).getTime();
      expect(notBefore).toBeLessThan(Date.now() - DAY);
      expect(notAfter - notBefore).toBeLessThanOrEqual(397 * DAY);
      expect(notAfter).toBeGreaterThan(Date.now() + 300 * DAY);
      const caSki = forgeSki(proxy.caPem);
      expect(leaf.extension('authorityKeyIdentifier')).toBeTruthy();
      expect(akiHex(leaf)).toBe(caSki);
      expect(leaf.extension('subjectKeyIdentifier')).toBeUndefined();
      expect(leaf.extension('keyUsage')).toMatchObject({ digitalSignature: true, critical: true });
      expect(leaf.x509.serialNumber).toMatch(/^[0-9A-F]{32}$/);
    } finally {
      socket.destroy();
    }
  });

  it('uses the CONNECT host when the client sends no SNI, and the SNI name when it does', async () => {
    const noSni = await tlsThroughProxy(proxy.port, `localhost:${origin.port}`, { ca: proxy.caPem, servername: false, checkName: 'localhost' });
    expect(peerCertificate(noSni).x509.subjectAltName).toBe('DNS:localhost');
    noSni.destroy();
    const withSni = await tlsThroughProxy(proxy.port, `localhost:${origin.port}`, { ca: proxy.caPem, servername: 'sni-name.test' });
    expect(peerCertificate(withSni).x509.subjectAltName).toBe('DNS:sni-name.test');
    withSni.destroy();
  });

  it('puts an IP address host into an IP SAN, and serves HTTPS on any port', async () => {
    const socket = await tlsThroughProxy(proxy.port, `127.0.0.1:${origin.port}`, { ca: proxy.caPem });
    expect(peerCertificate(socket).x509.subjectAltName).toBe('IP Address:127.0.0.1');
    const response = await getOverSocket(socket, `127.0.0.1:${origin.port}`, '/by-ip');
    expect(response.status).toBe(200);
    socket.destroy();
    const exchange = await captured((entry) => entry.request.url.endsWith('/by-ip'));
    expect(exchange?.request.url).toBe(`https://127.0.0.1:${origin.port}/by-ip`);
    // IPv6: the certificate comes before any upstream connection, so no IPv6 origin is needed.
    const v6 = await tlsThroughProxy(proxy.port, '[::1]:8443', { ca: proxy.caPem, checkName: '::1' });
    expect(peerCertificate(v6).x509.subjectAltName).toBe('IP Address:0:0:0:0:0:0:0:1');
    v6.destroy();
  });

  it('runs several requests on one kept-alive intercepted connection', async () => {
    const socket = await tlsThroughProxy(proxy.port, `localhost:${origin.port}`, { ca: proxy.caPem });
    for (const name of ['one', 'two', 'three']) {
      expect((await getOverSocket(socket, `localhost:${origin.port}`, `/keep-alive/${name}`)).status).toBe(200);
    }
    socket.destroy();
    await vi.waitFor(() => expect(exchanges.all.filter((entry) => entry.request.url.includes('/keep-alive/')).length).toBe(3));
  });

  it('issues one certificate for 50 concurrent first connections to a new host', async () => {
    const before = proxy.api.certificatesIssued;
    const sockets = await Promise.all(Array.from({ length: 50 }, () => tlsThroughProxy(proxy.port, `localhost:${origin.port}`, { ca: proxy.caPem, servername: 'burst.test' })));
    const serials = new Set(sockets.map((socket) => peerCertificate(socket).x509.serialNumber));
    for (const socket of sockets) socket.destroy();
    expect(serials.size).toBe(1);
    expect(proxy.api.certificatesIssued).toBe(before + 1);
    expect(await proxy.api.certificateFor('BURST.test')).toContain('BEGIN CERTIFICATE');
    expect(proxy.api.certificatesIssued).toBe(before + 1);
  });

  it('sends the CA after the leaf (openssl s_client sees a chain of 2), and the API gives the CA key pin Chromium takes', async () => {
    // s_client speaks CONNECT itself (-proxy), so this is the chain exactly as sent on the wire.
    const { stdout } = await execFileAsync('openssl', ['s_client', '-proxy', `127.0.0.1:${proxy.port}`, '-connect', `localhost:${origin.port}`, '-servername', 'chain.test', '-showcerts', '-CAfile', caFile], { input: '' });
    const sent = stdout.match(/-----BEGIN CERTIFICATE-----[^]*?-----END CERTIFICATE-----/g) ?? [];
    expect(sent).toHaveLength(2);
    expect(new X509Certificate(sent[0]!).subjectAltName).toBe('DNS:chain.test');
    expect(new X509Certificate(sent[1]!).fingerprint256).toBe(proxy.api.ca!.fingerprint);
    expect(stdout).toMatch(/Verify return code: 0 \(ok\)/);
    const spki = createPublicKey(proxy.caPem).export({ type: 'spki', format: 'der' });
    expect(proxy.api.ca!.spkiSha256).toBe(createHash('sha256').update(spki).digest('base64'));
  });

  it('keeps the CONNECT\'s source (from its proxy credentials) on the exchanges inside the intercepted tunnel', async () => {
    const remove = proxy.proxy.addClientSource('capture', 'per-launch-token', 'run:curl');
    try {
      // A later -x wins over the helper's own, so this CONNECT carries the credentials.
      const result = await curlThroughProxy(proxy.port, ['-x', `http://capture:per-launch-token@127.0.0.1:${proxy.port}`, '--cacert', caFile, `https://localhost:${origin.port}/tagged`]);
      expect(result.code).toBe(0);
      const exchange = await captured((entry) => entry.request.url.endsWith('/tagged'));
      expect(exchange.source).toBe('run:curl');
      expect(exchange.request.headers.some(([name]) => name.toLowerCase() === 'proxy-authorization')).toBe(false);
    } finally {
      remove();
    }
  });
});

/** Waits until an exchange matching `predicate` was emitted (exchanges are emitted after the client got its response). */
function captured(predicate: (exchange: Exchange) => boolean): Promise<Exchange> {
  return vi.waitFor(() => {
    const found = exchanges.all.find(predicate);
    if (!found) throw new Error('not captured yet');
    return found;
  });
}

/** The CA's subjectKeyIdentifier, hex. */
function forgeSki(caPem: string): string {
  const extension = forge.pki.certificateFromPem(caPem).getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier: string };
  return extension.subjectKeyIdentifier;
}

/** The keyIdentifier inside a leaf's authorityKeyIdentifier extension, hex (forge leaves it encoded). */
function akiHex(leaf: PeerCertificate): string {
  const { value } = leaf.extension('authorityKeyIdentifier') as { value: string };
  const sequence = forge.asn1.fromDer(value);
  const keyIdentifier = (sequence.value as forge.asn1.Asn1[]).find((part) => part.tagClass === forge.asn1.Class.CONTEXT_SPECIFIC && part.type === 0);
  return forge.util.bytesToHex(keyIdentifier!.value as string);
}
