import https from 'node:https';
import type net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';
import { localhostCert, localhostKey } from './helpers/fixtures.js';

const cert = localhostCert;
const key = localhostKey;

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
});

/** An HTTPS origin on 127.0.0.1 with the fixture's certificate for `localhost`; resolves each accepted socket to `accepted`. */
async function tlsOrigin(accepted: (socket: net.Socket) => void): Promise<TestOrigin> {
  const server = https.createServer({ key, cert }, (_req, res) => res.end('ok'));
  server.on('connection', accepted);
  return startOrigin(() => undefined, server);
}

describe('proxy.connectUpstreamAhead', () => {
  it("answers the origin's protocol and closes the kept connection when the proxy closes", async () => {
    let socket: net.Socket | undefined;
    origin = await tlsOrigin((accepted) => (socket = accepted));
    proxy = await startProxy();
    proxy.proxy.setUpstreamTls({ ca: [cert] });
    await expect(proxy.proxy.connectUpstreamAhead('localhost', origin.port)).resolves.toBe('http/1.1');
    expect(socket!.destroyed).toBe(false);
    const closed = new Promise<void>((resolve) => socket!.once('close', () => resolve()));
    await proxy.close();
    proxy = undefined;
    await closed;
    expect(origin.connections).toBe(1);
  });

  it('verifies the origin as the pool does: an untrusted certificate rejects, and nothing is kept', async () => {
    const sockets: net.Socket[] = [];
    origin = await tlsOrigin((accepted) => sockets.push(accepted));
    proxy = await startProxy();
    // The fixture's certificate is not in the default trust store.
    await expect(proxy.proxy.connectUpstreamAhead('localhost', origin.port)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    await Promise.all(sockets.map((socket) => (socket.destroyed ? undefined : new Promise((resolve) => socket.once('close', resolve)))));
    expect(sockets.every((socket) => socket.destroyed)).toBe(true);
  });
});
