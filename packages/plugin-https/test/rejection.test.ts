import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PluginError, type CaptureError } from '@capture/core';
import type { TestOrigin } from '@capture/core/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { captureClientHello } from './helpers/client-hello.js';
import { curlThroughProxy } from './helpers/curl.js';
import { startHttpsProxy, tempDataDir, type HttpsTestProxy } from './helpers/https-proxy.js';
import { connectTunnel, getOverSocket, tlsThroughProxy } from './helpers/through-proxy.js';
import { selfSignedCertificate, startTlsOrigin } from './helpers/tls-origin.js';

let origin: TestOrigin;
let proxy: HttpsTestProxy;
let files: ReturnType<typeof tempDataDir>;
const reported: CaptureError[] = [];

beforeAll(async () => {
  files = tempDataDir();
  const originCert = selfSignedCertificate(['localhost']);
  const originCaFile = path.join(files.dir, 'origin.pem');
  writeFileSync(originCaFile, originCert.certPem);
  origin = await startTlsOrigin(originCert);
  proxy = await startHttpsProxy({ upstreamCa: [originCaFile] });
  proxy.proxy.hooks.onError.tap('test', (error) => void reported.push(error));
});

afterAll(async () => {
  await proxy?.close();
  await origin?.close();
  files?.remove();
});

/**
 * curl asks for `rejecting.test` (its SNI and the name it checks) but CONNECTs to `localhost`,
 * so capture's ALPN probe and any upstream connection stay on this machine: `.test` names are
 * never looked up.
 */
const rejectingCurl = () => curlThroughProxy(proxy.port, ['--connect-to', `rejecting.test:${origin.port}:localhost:${origin.port}`, `https://rejecting.test:${origin.port}/`]);

describe('a client that rejects capture’s certificate', () => {
  it('is logged once per host with the fix, counted, and does not disturb another client', async () => {
    const [rejecting, trusting] = await Promise.all([
      rejectingCurl(),
      tlsThroughProxy(proxy.port, `localhost:${origin.port}`, { ca: proxy.caPem }).then(async (socket) => {
        try {
          return await getOverSocket(socket, `localhost:${origin.port}`, '/still-served');
        } finally {
          socket.destroy();
        }
      }),
    ]);
    expect(rejecting.code).toBe(60);
    expect(trusting.status).toBe(200);
    const line = await vi.waitFor(() => {
      const found = reported.find((error) => error.message.includes('rejecting.test'));
      if (!found) throw new Error('not reported yet');
      return found;
    });
    expect(line.code).toBe('TLS_CLIENT_REJECTED');
    // Reported through the plugin's context: core names the plugin and the hook.
    expect(line).toBeInstanceOf(PluginError);
    expect([(line as PluginError).plugin, (line as PluginError).hook]).toEqual(['https', 'onConnect']);
    expect(line.message.startsWith('https: client 127.0.0.1 rejected')).toBe(true);
    expect(line.message).toMatch(/client 127\.0\.0\.1 rejected capture's certificate for rejecting\.test \(unknown CA\)/);
    expect(line.message).toContain('capture ca install');
    expect(line.message).toContain('add "rejecting.test" to passthrough');
    expect(line.message).not.toContain('\n');
    expect(proxy.api.stats.rejected).toBe(1);

    // A retry is counted but not printed again; the proxy keeps serving.
    expect((await rejectingCurl()).code).toBe(60);
    await vi.waitFor(() => expect(proxy.api.stats.rejected).toBe(2));
    expect(reported.filter((error) => error.message.includes('rejecting.test'))).toHaveLength(1);
    const again = await tlsThroughProxy(proxy.port, `localhost:${origin.port}`, { ca: proxy.caPem });
    expect((await getOverSocket(again, `localhost:${origin.port}`, '/after')).status).toBe(200);
    again.destroy();
  });

  it('reports a client that hangs up in the middle of the handshake', async () => {
    const hello = await captureClientHello({ servername: 'hangs-up.test' });
    // The name only in the SNI (the certificate's name); the tunnel goes to localhost, so nothing is looked up off the machine.
    const socket = await connectTunnel(proxy.port, `localhost:${origin.port}`);
    socket.write(hello);
    // The server answered (ServerHello…): hang up as a client that dislikes the certificate does.
    await new Promise((resolve) => socket.once('data', resolve));
    socket.destroy();
    const line = await vi.waitFor(() => {
      const found = reported.find((error) => error.message.includes('hangs-up.test'));
      if (!found) throw new Error('not reported yet');
      return found;
    });
    expect(line.message).toMatch(/closed the connection during the TLS handshake for hangs-up\.test, likely because it does not trust capture's certificate/);
  });
});
