import net from 'node:net';
import type { TestOrigin } from '@capture/core/testing';
import { afterEach, beforeAll, afterAll, describe, expect, it, vi } from 'vitest';
import { startHttpsProxy, type HttpsTestProxy } from './helpers/https-proxy.js';
import { captureClientHello } from './helpers/client-hello.js';
import { connectTunnel, tlsThroughProxy } from './helpers/through-proxy.js';
import { selfSignedCertificate, startTlsOrigin } from './helpers/tls-origin.js';

// Every tunnel goes to `localhost:<origin>` (so the origin probe never leaves the machine); the
// certificate names come from the SNI, which is what capture issues for.
let origin: TestOrigin;
let proxy: HttpsTestProxy | undefined;
const open: net.Socket[] = [];

beforeAll(async () => {
  origin = await startTlsOrigin(selfSignedCertificate(['localhost']));
});

afterEach(async () => {
  for (const socket of open.splice(0)) socket.destroy();
  await proxy?.close();
  proxy = undefined;
});

afterAll(async () => {
  await origin?.close();
});

/**
 * A flood client's connection: CONNECT, then a ClientHello for `flood-<n>.test`, then nothing
 * (it never answers the server). The hello is one real Node ClientHello with the number in
 * its server name patched (same length), so the flood costs this process next to nothing.
 */
async function floodConnection(target: HttpsTestProxy, hello: Buffer, n: number): Promise<net.Socket> {
  const socket = await connectTunnel(target.port, `localhost:${origin.port}`);
  socket.on('error', () => undefined);
  // Read (and drop) what the server answers, so its writes never block.
  socket.resume();
  open.push(socket);
  const bytes = Buffer.from(hello);
  bytes.write(String(n).padStart(5, '0'), bytes.indexOf('flood-00000.test') + 'flood-'.length, 'latin1');
  socket.write(bytes);
  return socket;
}

describe('certificate issuance', () => {
  it('issues nothing before the ClientHello, then one certificate for its server name', async () => {
    proxy = await startHttpsProxy();
    // A CONNECT that never says anything: no certificate for its host.
    const silent = await connectTunnel(proxy.port, `never-hello.test:443`);
    silent.destroy();
    await vi.waitFor(() => expect(proxy!.proxy.openConnections).toBe(0));
    expect(proxy.api.certificatesIssued).toBe(0);

    // The ClientHello names the host: only that one is issued (not the CONNECT's localhost).
    const secure = await tlsThroughProxy(proxy.port, `localhost:${origin.port}`, { ca: proxy.caPem, servername: 'sni-only.test' });
    secure.destroy();
    expect(proxy.api.certificatesIssued).toBe(1);
    expect(await proxy.api.certificateFor('sni-only.test')).toContain('BEGIN CERTIFICATE');
    expect(proxy.api.certificatesIssued).toBe(1);
  });

  it('bounds one client’s issuances in flight: another client’s new host goes ahead of its flood, and a flood that hangs up costs nothing', async () => {
    proxy = await startHttpsProxy();
    const flood = 300;
    const hello = await captureClientHello({ servername: 'flood-00000.test' });
    await Promise.all(Array.from({ length: flood }, (_, i) => floodConnection(proxy!, hello, i)));
    // The flood waits for its client's turns instead of being issued at once.
    await vi.waitFor(() => expect(proxy!.api.certificatesWaiting).toBeGreaterThan(flood / 4), { timeout: 20_000 });

    // Another client (127.0.0.2) with a new host is served while the flood still waits.
    const other = await tlsThroughProxy(proxy.port, `localhost:${origin.port}`, { ca: proxy.caPem, servername: 'other-client.test', localAddress: '127.0.0.2' });
    other.destroy();
    expect(proxy.api.certificatesWaiting).toBeGreaterThan(0);
    expect(proxy.api.certificatesIssued).toBeLessThan(flood);

    // The flooding client hangs up: what still waited is never issued.
    for (const socket of open.splice(0)) socket.destroy();
    await vi.waitFor(() => expect(proxy!.api.certificatesWaiting).toBe(0), { timeout: 20_000 });
    await vi.waitFor(() => expect(proxy!.proxy.openConnections).toBe(0), { timeout: 20_000 });
    expect(proxy.api.certificatesIssued).toBeLessThan(flood);
  });
});
