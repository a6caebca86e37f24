import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { collectExchanges, type TestOrigin } from '@capture/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHttpsProxy, tempDataDir, type HttpsTestProxy } from './helpers/https-proxy.js';
import { getOverSocket, tlsThroughProxy } from './helpers/through-proxy.js';
import { selfSignedCertificate, startTlsOrigin } from './helpers/tls-origin.js';

let origin: TestOrigin;
let files: ReturnType<typeof tempDataDir>;
let originCaFile: string;
let proxy: HttpsTestProxy | undefined;

beforeAll(async () => {
  files = tempDataDir();
  const originCert = selfSignedCertificate(['localhost']);
  originCaFile = path.join(files.dir, 'origin.pem');
  writeFileSync(originCaFile, originCert.certPem);
  origin = await startTlsOrigin(originCert);
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

afterAll(async () => {
  await origin?.close();
  files?.remove();
});

async function getThrough(target: HttpsTestProxy, pathname: string) {
  const socket = await tlsThroughProxy(target.port, `localhost:${origin.port}`, { ca: target.caPem });
  try {
    return await getOverSocket(socket, `localhost:${origin.port}`, pathname);
  } finally {
    socket.destroy();
  }
}

describe('upstream TLS', () => {
  it('is verified by default: a self-signed upstream gives 502 naming the host and the error', async () => {
    proxy = await startHttpsProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const response = await getThrough(proxy, '/self-signed');
    expect(response.status).toBe(502);
    expect(response.text).toContain(`localhost:${origin.port}`);
    expect(response.text).toMatch(/self[- ]signed certificate/);
    const exchange = await exchanges.next();
    expect(exchange.error?.message).toMatch(/self[- ]signed/);
  });

  it('trusts the CAs in upstreamCa', async () => {
    proxy = await startHttpsProxy({ upstreamCa: [originCaFile] });
    const response = await getThrough(proxy, '/trusted');
    expect(response.status).toBe(200);
    expect(JSON.parse(response.text)).toMatchObject({ url: '/trusted' });
  });

  it('skips verification with insecureUpstream', async () => {
    proxy = await startHttpsProxy({ insecureUpstream: true });
    expect((await getThrough(proxy, '/insecure')).status).toBe(200);
  });

  it('names an unreadable upstreamCa file when the proxy starts', async () => {
    const missing = path.join(files.dir, 'missing.pem');
    await expect(startHttpsProxy({ upstreamCa: [missing] })).rejects.toThrow(`https: upstream CA file ${missing} (option "upstreamCa[0]", --upstream-ca): cannot read it (ENOENT)`);
    const notPem = path.join(files.dir, 'not-pem.txt');
    writeFileSync(notPem, 'hello');
    await expect(startHttpsProxy({ upstreamCa: [notPem] })).rejects.toThrow(`${notPem} (option "upstreamCa[0]", --upstream-ca): holds no PEM certificate`);
    const brokenPem = path.join(files.dir, 'broken.pem');
    writeFileSync(brokenPem, '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n');
    await expect(startHttpsProxy({ upstreamCa: [brokenPem] })).rejects.toThrow(`${brokenPem} (option "upstreamCa[0]", --upstream-ca): certificate 1 is not a valid certificate`);
  });
});
