import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import { collectExchanges, requestThroughProxy, startOrigin, type ExchangeCollector, type TestOrigin } from '@capture/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startHttpsProxy, type HttpsTestProxy } from './helpers/https-proxy.js';
import { getOverSocket, tlsThroughProxy } from './helpers/through-proxy.js';

let proxy: HttpsTestProxy;
let exchanges: ExchangeCollector;
let origin: TestOrigin;

beforeAll(async () => {
  proxy = await startHttpsProxy();
  exchanges = collectExchanges(proxy.proxy);
  origin = await startOrigin();
});
afterAll(async () => {
  await proxy?.close();
  await origin?.close();
});

const HTML = { accept: 'text/html,application/xhtml+xml' };

/** A request straight to the proxy's own address (origin-form), as a browser opening http://proxy-ip:port/ sends it. */
function getFromProxyItself(pathname: string, headers: http.OutgoingHttpHeaders = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port: proxy.port, path: pathname, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      })
      .on('error', reject);
  });
}

describe('the certificate download page', () => {
  it('is served at http://capture.proxy/: mobile-friendly, with every format, the fingerprint and install steps', async () => {
    const page = await requestThroughProxy(proxy.port, 'http://capture.proxy/', { headers: HTML });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<meta name="viewport"');
    for (const href of ['/ca.crt', '/ca.pem', '/ca.cer', '/ca.p12']) expect(page.text).toContain(`href="${href}"`);
    expect(page.text).toContain(proxy.api.ca!.fingerprint);
    for (const platform of ['iPhone', 'Android', 'Windows', 'macOS', 'Linux', 'Firefox']) expect(page.text).toContain(platform);
    expect(page.text).toContain('network_security_config.xml');
    expect(page.text).toContain('&#60;certificates src=&#34;user&#34; /&#62;');
    const text = await requestThroughProxy(proxy.port, 'http://capture.proxy/');
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.text).toContain(`SHA-256 fingerprint: ${proxy.api.ca!.fingerprint}`);
  });

  it('serves PEM, DER and PKCS#12 with the right content types', async () => {
    const ca = new X509Certificate(proxy.caPem);
    for (const file of ['/ca.crt', '/ca.pem']) {
      const pem = await requestThroughProxy(proxy.port, `http://capture.proxy${file}`);
      expect(pem.status).toBe(200);
      expect(pem.headers['content-type']).toBe('application/x-x509-ca-cert');
      expect(pem.headers['content-disposition']).toBe(`attachment; filename="capture-proxy-ca${file.slice(3)}"`);
      expect(pem.text).toBe(proxy.caPem);
    }
    const der = await requestThroughProxy(proxy.port, 'http://capture.proxy/ca.cer');
    expect(der.headers['content-type']).toBe('application/x-x509-ca-cert');
    expect(der.body.equals(ca.raw)).toBe(true);

    const p12 = await requestThroughProxy(proxy.port, 'http://capture.proxy/ca.p12');
    expect(p12.headers['content-type']).toBe('application/x-pkcs12');
    const fromP12 = await new Promise<string>((resolve, reject) => {
      const child = execFile('openssl', ['pkcs12', '-nokeys', '-passin', 'pass:'], (error, stdout, stderr) => (error ? reject(new Error(stderr)) : resolve(stdout)));
      child.stdin!.end(p12.body);
    });
    expect(fromP12).not.toContain('PRIVATE KEY');
    expect(new X509Certificate(fromP12.slice(fromP12.indexOf('-----BEGIN CERTIFICATE-----'))).fingerprint256).toBe(ca.fingerprint256);
  });

  it('is served at the proxy’s own address too, and linked from its information page', async () => {
    const page = await getFromProxyItself('/', HTML);
    expect(page.status).toBe(200);
    expect(page.body.toString()).toContain(proxy.api.ca!.fingerprint);
    const crt = await getFromProxyItself('/ca.crt');
    expect(crt.headers['content-type']).toBe('application/x-x509-ca-cert');
    expect(crt.body.toString()).toBe(proxy.caPem);
    const absolute = await requestThroughProxy(proxy.port, `http://127.0.0.1:${proxy.port}/ca.cer`);
    expect(absolute.headers['content-type']).toBe('application/x-x509-ca-cert');
    expect(proxy.proxy.hooks.onInfoPage.call([])).toContainEqual(expect.objectContaining({ href: '/ca', title: 'CA certificate' }));
    expect((await getFromProxyItself('/elsewhere')).status).toBe(404);
  });

  it('is reached over HTTPS too when the device already trusts the CA', async () => {
    const socket = await tlsThroughProxy(proxy.port, 'capture.proxy:443', { ca: proxy.caPem });
    const response = await getOverSocket(socket, 'capture.proxy', '/ca.crt');
    socket.destroy();
    expect(response.status).toBe(200);
    expect(response.text).toBe(proxy.caPem);
  });

  it('is no way into anything else: no other paths, no other ports, no other methods, never forwarded, never captured', async () => {
    const key = await requestThroughProxy(proxy.port, 'http://capture.proxy/../proxy/capture-proxy-ca.key');
    expect(key.status).toBe(404);
    expect(key.text).not.toContain('PRIVATE KEY');
    expect((await requestThroughProxy(proxy.port, 'http://capture.proxy/%2e%2e/proxy/capture-proxy-ca.key')).status).toBe(404);
    // An origin listening on the port asked for is never reached through the capture.proxy name.
    const other = await requestThroughProxy(proxy.port, `http://capture.proxy:${origin.port}/`, { headers: HTML });
    expect(other.text).toContain(proxy.api.ca!.fingerprint);
    expect(origin.connections).toBe(0);
    const post = await requestThroughProxy(proxy.port, 'http://capture.proxy/ca.crt', { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const head = await requestThroughProxy(proxy.port, 'http://capture.proxy/ca.crt', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    await vi.waitFor(() => expect(exchanges.all.filter((exchange) => exchange.request.url.includes('capture.proxy')).length).toBeGreaterThanOrEqual(5));
    for (const exchange of exchanges.all.filter((entry) => entry.request.url.includes('capture.proxy'))) {
      expect(exchange.skip).toEqual({ reason: 'capture.proxy page', by: 'https' });
    }
  });
});
