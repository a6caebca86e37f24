import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestOrigin } from '@capture/core/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { curlThroughProxy } from './helpers/curl.js';
import { startH2Origin, type H2Origin } from './helpers/h2-origin.js';
import { startHttpsProxy, tempDataDir, type HttpsTestProxy } from './helpers/https-proxy.js';
import { tlsThroughProxy } from './helpers/through-proxy.js';
import { selfSignedCertificate, startTlsOrigin } from './helpers/tls-origin.js';

// The client's ALPN answer depends on the origin's, so capture connects to a new origin while
// the client's handshake waits. That connection is verified as every upstream one is and kept
// for the origin's first request: one handshake with the origin per new host, not two.
let files: ReturnType<typeof tempDataDir>;
let caFile: string;
let proxy: HttpsTestProxy;
let h1: TestOrigin | undefined;
let h2: H2Origin | undefined;
const cert = selfSignedCertificate(['localhost', '127.0.0.1']);

beforeEach(async () => {
  files = tempDataDir();
  const originCaFile = path.join(files.dir, 'origin.pem');
  writeFileSync(originCaFile, cert.certPem);
  proxy = await startHttpsProxy({ upstreamCa: [originCaFile] });
  caFile = path.join(files.dir, 'capture-ca.pem');
  writeFileSync(caFile, proxy.caPem);
});

afterEach(async () => {
  await proxy?.close();
  await Promise.all([h1?.close(), h2?.close()]);
  h1 = h2 = undefined;
  files?.remove();
});

describe('the first connection to a new HTTPS origin', () => {
  it('serves the first HTTP/1.1 request: the origin sees one connection for a new host', async () => {
    h1 = await startTlsOrigin(cert, (_req, res) => res.end('one'));
    const result = await curlThroughProxy(proxy.port, ['--http1.1', '--cacert', caFile, `https://localhost:${h1.port}/first`]);
    expect(result.stdout).toBe('one');
    expect(h1.connections).toBe(1);
    // The kept connection joined the pool: a second client's request reuses it.
    const again = await curlThroughProxy(proxy.port, ['--http1.1', '--cacert', caFile, `https://localhost:${h1.port}/second`]);
    expect(again.stdout).toBe('one');
    expect(h1.connections).toBe(1);
  });

  it('carries the first HTTP/2 session: the origin sees one connection for a new host', async () => {
    h2 = await startH2Origin(cert);
    let connections = 0;
    h2.server.on('connection', () => connections++);
    const result = await curlThroughProxy(proxy.port, ['--http2', '--cacert', caFile, '-w', '\n%{http_version}', `https://localhost:${h2.port}/first`]);
    const [body, version] = result.stdout.split('\n');
    expect(version).toBe('2');
    expect(JSON.parse(body!)).toMatchObject({ httpVersion: '2.0', path: '/first' });
    expect(connections).toBe(1);
  });

  it('is closed when no request comes for it within a few seconds', async () => {
    h1 = await startTlsOrigin(cert, (_req, res) => res.end('never asked'));
    const closed = new Promise<number>((resolve) => h1!.server.once('connection', (socket) => socket.once('close', () => resolve(Date.now()))));
    const started = Date.now();
    const client = await tlsThroughProxy(proxy.port, `localhost:${h1.port}`, { ca: proxy.caPem, ALPNProtocols: ['http/1.1'] });
    const at = await closed;
    // Closed by capture after AHEAD_TTL_MS (4 s) while the client, idle, is still connected.
    expect(at - started).toBeGreaterThanOrEqual(3_500);
    expect(client.destroyed).toBe(false);
    expect(h1.connections).toBe(1);
    client.destroy();
  });

  it('is verified as every upstream connection is: an origin capture does not trust gets the clear 502', async () => {
    const untrusted = selfSignedCertificate(['localhost', '127.0.0.1']);
    h1 = await startTlsOrigin(untrusted, (_req, res) => res.end('should not be reached'));
    const result = await curlThroughProxy(proxy.port, ['--http1.1', '--cacert', caFile, '-w', '\n%{http_code}', `https://localhost:${h1.port}/untrusted`]);
    const lines = result.stdout.split('\n');
    expect(lines.at(-1)).toBe('502');
    expect(result.stdout).not.toContain('should not be reached');
  });
});
