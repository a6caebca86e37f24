import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { createProxy } from '@capture/core';
import { collectExchanges, startOrigin, type TestOrigin } from '@capture/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { curlDirect } from './helpers/curl.js';
import { startHttpsProxy, tempDataDir, type HttpsTestProxy } from './helpers/https-proxy.js';
import { selfSignedCertificate, startTlsOrigin } from './helpers/tls-origin.js';
import { reverseTlsTarget } from '../src/reverse-names.js';

let files: ReturnType<typeof tempDataDir> | undefined;
let origin: TestOrigin | undefined;
let proxy: HttpsTestProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  files?.remove();
  files = origin = proxy = undefined;
});

/** The certificate capture presents on its own port (no SNI, as for an IP URL). */
function presented(port: number): Promise<X509Certificate> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false });
    socket.once('secureConnect', () => {
      resolve(new X509Certificate(socket.getPeerCertificate().raw));
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('reverse mode with reverseTls', () => {
  it('serves a certificate that also names the listener (127.0.0.1, ::1, localhost): curl --cacert to https://127.0.0.1:PORT/ is accepted', async () => {
    files = tempDataDir();
    const cert = selfSignedCertificate(['localhost']);
    const originCa = path.join(files.dir, 'origin.pem');
    writeFileSync(originCa, cert.certPem);
    origin = await startTlsOrigin(cert);
    proxy = await startHttpsProxy({ upstreamCa: [originCa] }, undefined, { reverse: `https://localhost:${origin.port}`, reverseTls: true });
    const caFile = path.join(files.dir, 'capture-ca.pem');
    writeFileSync(caFile, proxy.caPem);
    const exchanges = collectExchanges(proxy.proxy);

    // curl sends no SNI for an IP: the certificate must name the address itself.
    const byAddress = await curlDirect(['--cacert', caFile, `https://127.0.0.1:${proxy.port}/by-address`]);
    expect(byAddress.stderr).toBe('');
    expect(JSON.parse(byAddress.stdout)).toMatchObject({ method: 'GET', url: '/by-address' });
    const byName = await curlDirect(['--cacert', caFile, `https://localhost:${proxy.port}/by-name`]);
    expect(byName.stderr).toBe('');
    expect(JSON.parse(byName.stdout)).toMatchObject({ url: '/by-name' });

    const names = (await presented(proxy.port)).subjectAltName ?? '';
    expect(names.split(', ')).toEqual(expect.arrayContaining(['DNS:localhost', 'IP Address:127.0.0.1', 'IP Address:0:0:0:0:0:0:0:1']));
    // Recorded as the origin's URL, whatever address the client used for capture.
    const recorded = await exchanges.waitFor(2);
    expect(recorded.map((exchange) => exchange.request.url)).toEqual([`https://localhost:${origin.port}/by-address`, `https://localhost:${origin.port}/by-name`]);
    expect(recorded.every((exchange) => exchange.tls)).toBe(true);
  });

  it('in front of a plain HTTP origin: HTTPS on capture’s address, and no TLS probe sent to the origin', async () => {
    files = tempDataDir();
    origin = await startOrigin();
    proxy = await startHttpsProxy({}, undefined, { reverse: `http://127.0.0.1:${origin.port}`, reverseTls: true });
    const caFile = path.join(files.dir, 'capture-ca.pem');
    writeFileSync(caFile, proxy.caPem);
    const exchanges = collectExchanges(proxy.proxy);
    const result = await curlDirect(['--cacert', caFile, `https://127.0.0.1:${proxy.port}/plain-origin`]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toMatchObject({ url: '/plain-origin' });
    const [exchange] = await exchanges.waitFor(1);
    expect(exchange!.request.url).toBe(`http://127.0.0.1:${origin.port}/plain-origin`);
    // One connection: the request's. An ALPN probe would have opened another and sent it a ClientHello.
    expect(origin.connections).toBe(1);
  });

  it('names every interface address when the listener is bound to a wildcard', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'capture-https-'));
    const unstarted = await createProxy({ dataDir, host: '0.0.0.0', port: 0, reverse: 'https://api.example.com', reverseTls: true });
    try {
      const target = reverseTlsTarget(unstarted, 'api.example.com', 443, 'app.local');
      const ipv4 = Object.values(os.networkInterfaces())
        .flat()
        .filter((entry) => entry?.family === 'IPv4')
        .map((entry) => entry!.address);
      expect(target?.names.slice(0, 2)).toEqual(['api.example.com', 'app.local']);
      expect(target?.names).toEqual(expect.arrayContaining(['localhost', '127.0.0.1', '::1', ...ipv4]));
      expect(target?.originSecure).toBe(true);
      // Any other CONNECT (another host, another port) is not the reverse origin's.
      expect(reverseTlsTarget(unstarted, 'other.example.com', 443, undefined)).toBeUndefined();
      expect(reverseTlsTarget(unstarted, 'api.example.com', 8443, undefined)).toBeUndefined();
    } finally {
      await unstarted.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
