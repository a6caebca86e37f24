import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { collectExchanges } from '@capture/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { curlThroughProxy } from './helpers/curl.js';
import { startH2Origin, type H2Origin } from './helpers/h2-origin.js';
import { startHttpsProxy, tempDataDir, type HttpsTestProxy } from './helpers/https-proxy.js';
import { selfSignedCertificate } from './helpers/tls-origin.js';
import { startUpstreamProxy, UPSTREAM_SOURCE_ADDRESS, type UpstreamProxy } from './helpers/upstream-proxy.js';

let files: ReturnType<typeof tempDataDir> | undefined;
let origin: H2Origin | undefined;
let upstream: UpstreamProxy | undefined;
let proxy: HttpsTestProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  await upstream?.close();
  await origin?.close();
  files?.remove();
  files = origin = upstream = proxy = undefined;
});

describe('with an upstream proxy', () => {
  it('the ALPN probe goes through it: an h2 origin reachable only through the upstream proxy gets h2 on both legs', async () => {
    files = tempDataDir();
    const cert = selfSignedCertificate(['localhost']);
    const originCa = path.join(files.dir, 'origin.pem');
    writeFileSync(originCa, cert.certPem);
    origin = await startH2Origin(cert);
    // Only the upstream proxy's connections (from its own address) are served; capture's own
    // (from 127.0.0.1) are cut before TLS, as a firewall would.
    const sources: string[] = [];
    origin.server.prependListener('connection', (socket: import('node:net').Socket) => {
      sources.push(socket.remoteAddress ?? '');
      if (socket.remoteAddress !== UPSTREAM_SOURCE_ADDRESS) socket.destroy();
    });
    upstream = await startUpstreamProxy();
    proxy = await startHttpsProxy({ upstreamCa: [originCa] }, undefined, { upstreamProxy: upstream.url });
    const caFile = path.join(files.dir, 'capture-ca.pem');
    writeFileSync(caFile, proxy.caPem);
    const exchanges = collectExchanges(proxy.proxy);
    const authority = `localhost:${origin.port}`;

    const result = await curlThroughProxy(proxy.port, ['--http2', '--cacert', caFile, '-w', '\n%{http_version}', `https://${authority}/via-upstream`]);
    expect(result.stderr).toBe('');
    const [body, version] = result.stdout.split('\n');
    // The client leg is h2 only because the probe learnt that the origin chose h2.
    expect(version).toBe('2');
    expect(JSON.parse(body!)).toMatchObject({ httpVersion: '2.0', path: '/via-upstream' });
    const [exchange] = await exchanges.waitFor(1);
    expect(exchange!.request.httpVersion).toBe('2');
    expect(exchange!.response?.httpVersion).toBe('2');

    // One CONNECT through the upstream proxy: the connection that asked the origin carries the
    // h2 session too (see first-connection.test.ts); nothing direct.
    expect(upstream.connects).toEqual([`CONNECT ${authority}`]);
    expect(sources).toHaveLength(1);
    expect(sources.every((source) => source === UPSTREAM_SOURCE_ADDRESS)).toBe(true);
  });

  it('capture.proxy over HTTPS is answered by capture: no probe or request for it reaches the upstream proxy', async () => {
    files = tempDataDir();
    upstream = await startUpstreamProxy();
    proxy = await startHttpsProxy({}, undefined, { upstreamProxy: upstream.url });
    const caFile = path.join(files.dir, 'capture-ca.pem');
    writeFileSync(caFile, proxy.caPem);
    const result = await curlThroughProxy(proxy.port, ['--cacert', caFile, 'https://capture.proxy/ca.crt']);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(proxy.caPem);
    expect(upstream.connects).toEqual([]);
  });
});
