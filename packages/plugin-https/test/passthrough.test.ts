import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import { collectExchanges, type TestOrigin } from '@capture/core/testing';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { startHttpsProxy, type HttpsTestProxy } from './helpers/https-proxy.js';
import { peerCertificate } from './helpers/inspect.js';
import { connectTunnel, tlsThroughProxy } from './helpers/through-proxy.js';
import { selfSignedCertificate, startTlsOrigin, type TestCertificate } from './helpers/tls-origin.js';

let origin: TestOrigin;
let originCert: TestCertificate;
let proxy: HttpsTestProxy | undefined;

beforeAll(async () => {
  originCert = selfSignedCertificate(['localhost', '127.0.0.1', 'bank.test']);
  origin = await startTlsOrigin(originCert);
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});
afterAll(async () => {
  await origin?.close();
});

const originFingerprint = () => new X509Certificate(originCert.certPem).fingerprint256;

describe('passthrough', () => {
  it('tunnels a passthrough CONNECT host blindly: the client sees the origin’s own certificate and nothing is captured', async () => {
    proxy = await startHttpsProxy({ passthrough: ['localhost'] });
    const exchanges = collectExchanges(proxy.proxy);
    const socket = await tlsThroughProxy(proxy.port, `localhost:${origin.port}`, { ca: originCert.certPem });
    expect(peerCertificate(socket).x509.fingerprint256).toBe(originFingerprint());
    socket.destroy();
    expect(proxy.api.stats.passedThrough).toBe(1);
    expect(proxy.api.stats.intercepted).toBe(0);
    expect(exchanges.all).toHaveLength(0);
  });

  it('tunnels by TLS server name too (regex patterns), with the ClientHello bytes put back', async () => {
    proxy = await startHttpsProxy({ passthrough: [/^bank\./] });
    const passed = await tlsThroughProxy(proxy.port, `127.0.0.1:${origin.port}`, { ca: originCert.certPem, servername: 'bank.test' });
    expect(peerCertificate(passed).x509.fingerprint256).toBe(originFingerprint());
    passed.destroy();
    // To localhost: an IP CONNECT would send the ALPN probe to shop.test, a name looked up off this machine.
    const intercepted = await tlsThroughProxy(proxy.port, `localhost:${origin.port}`, { ca: proxy.caPem, servername: 'shop.test' });
    expect(peerCertificate(intercepted).issuer?.fingerprint256).toBe(proxy.api.ca!.fingerprint);
    intercepted.destroy();
  });

  it('tunnels traffic that is not TLS', async () => {
    const echo = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    try {
      proxy = await startHttpsProxy();
      const socket = await connectTunnel(proxy.port, `127.0.0.1:${(echo.address() as net.AddressInfo).port}`);
      socket.write('hello, not TLS\n');
      const echoed = await new Promise<string>((resolve) => socket.once('data', (chunk: Buffer) => resolve(chunk.toString())));
      expect(echoed).toBe('hello, not TLS\n');
      socket.destroy();
      expect(proxy.api.stats.passedThrough).toBe(1);
    } finally {
      await new Promise<void>((resolve) => echo.close(() => resolve()));
    }
  });
});
