import { readFileSync } from 'node:fs';
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import type net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createProxy } from '../src/index.js';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';
import { localhostCert, localhostKey, fixture } from './helpers/fixtures.js';

const cert = localhostCert;
const key = localhostKey;
const clientCa = readFileSync(fixture('client-ca.crt'), 'utf8');

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  for (const cleanup of cleanups.splice(0)) await cleanup();
  proxy = origin = undefined;
});

/** An origin that refuses TLS connections without a client certificate from the test client CA. */
async function startMtlsOrigin(): Promise<TestOrigin> {
  const server = https.createServer({ cert, key, ca: clientCa, requestCert: true, rejectUnauthorized: true });
  return startOrigin((req, res) => res.end(`hello ${(req.socket as tls.TLSSocket).getPeerCertificate().subject.CN}`), server as unknown as http.Server);
}

describe('client certificates', () => {
  it('an mTLS origin refuses capture without one', async () => {
    origin = await startMtlsOrigin();
    proxy = await startProxy();
    proxy.proxy.setUpstreamTls({ ca: [cert] });
    const response = await requestThroughProxy(proxy.port, `https://localhost:${origin.port}/`);
    expect(response.status).toBe(502);
  });

  it.each([
    ['a PKCS#12 file with its passphrase', { pfx: fixture('client.p12'), passphrase: 'letmein' }],
    ['a PEM file holding certificate and key', { cert: fixture('client.pem'), key: fixture('client.pem') }],
  ])('presents %s to matching hosts, kept across setUpstreamTls', async (_name, entry) => {
    origin = await startMtlsOrigin();
    proxy = await startProxy({ clientCertificates: [{ host: 'localhost', ...entry } as never] });
    proxy.proxy.setUpstreamTls({ ca: [cert] });
    const response = await requestThroughProxy(proxy.port, `https://localhost:${origin.port}/`);
    expect(response.text).toBe('hello capture test client');
    // Not presented to other hosts: 127.0.0.1 does not match "localhost".
    expect((await requestThroughProxy(proxy.port, `https://127.0.0.1:${origin.port}/`)).status).toBe(502);
  });

  it('presents it on HTTP/2 sessions too', async () => {
    const h2 = http2.createSecureServer({ cert, key, ca: clientCa, requestCert: true, rejectUnauthorized: true });
    h2.on('stream', (stream) => {
      stream.respond({ ':status': 200 });
      stream.end(`h2 ${(stream.session!.socket as tls.TLSSocket).getPeerCertificate().subject.CN}`);
    });
    await new Promise<void>((resolve) => h2.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => h2.close(() => resolve())));
    const port = (h2.address() as net.AddressInfo).port;
    proxy = await startProxy({ clientCertificates: [{ host: '*.localhost', pfx: fixture('client.p12'), passphrase: 'letmein' }, { host: 'localhost', pfx: fixture('client.p12'), passphrase: 'letmein' }] });
    proxy.proxy.setUpstreamTls({ ca: [cert] });
    proxy.proxy.hooks.onConnect.tap('terminate', (context) => {
      const secure = new tls.TLSSocket(context.accept(), { isServer: true, cert, key });
      proxy!.proxy.handleConnection(secure, { secure: true, hostname: context.hostname, port: context.port, upstreamProtocol: 'h2' });
      return true;
    });
    // Through CONNECT, as a browser would.
    const answer = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: proxy!.port, method: 'CONNECT', path: `localhost:${port}` });
      req.on('connect', (_res, raw) => {
        const secure = tls.connect({ socket: raw, servername: 'localhost', ca: cert }, () => {
          secure.write(`GET / HTTP/1.1\r\nHost: localhost:${port}\r\nConnection: close\r\n\r\n`);
        });
        let text = '';
        secure.on('data', (chunk: Buffer) => (text += chunk.toString()));
        secure.on('end', () => resolve(text));
        secure.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer).toContain('h2 capture test client');
  });

  it.each([
    ['a wrong passphrase', { host: 'x', pfx: fixture('client.p12'), passphrase: 'nope' }, /client certificate .*client\.p12: wrong passphrase/],
    ['a missing passphrase', { host: 'x', pfx: fixture('client.p12') }, /client certificate .*client\.p12: it is encrypted: a passphrase is needed/],
    ['a missing file', { host: 'x', pfx: '/nonexistent/me.p12' }, /client certificate \/nonexistent\/me\.p12: cannot read it \(ENOENT\)/],
    ['a file that is no certificate', { host: 'x', cert: fixture('client-ca.crt'), key: fixture('client-ca.crt') }, /client certificate .*client-ca\.crt: /],
  ])('stops the start for %s, naming the file', async (_name, entry, message) => {
    await expect(createProxy({ clientCertificates: [entry as never] })).rejects.toThrow(message);
  });
});
