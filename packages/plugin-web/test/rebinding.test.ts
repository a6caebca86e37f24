import dns from 'node:dns';
import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requestThroughProxy, sendRawRequest } from '@capture/core/testing';
import { startView, type ViewSetup } from './helpers/view.js';

// Issue 22 item 6: the view guard looked names up itself, so a name that resolved elsewhere when
// it checked and to 127.0.0.1 when capture connected (DNS rebinding) reached the view. The guard
// now also runs on the address each upstream connection really goes to (core's onUpstreamAddress).

const REBINDING = 'rebind.example';
let setup: ViewSetup | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await setup?.close();
  setup = undefined;
});

/**
 * A resolver that rebinds: the guard's own look-up (dns.promises) gets a public address, the
 * connection's (dns.lookup, which Node's net uses) gets 127.0.0.1. Other names resolve as usual.
 */
function rebind(): void {
  const promisesLookup = dns.promises.lookup.bind(dns.promises);
  vi.spyOn(dns.promises, 'lookup').mockImplementation(((name: string, options: dns.LookupAllOptions) =>
    name === REBINDING ? Promise.resolve([{ address: '192.0.2.10', family: 4 }]) : promisesLookup(name, options)) as typeof dns.promises.lookup);
  const lookup = dns.lookup.bind(dns);
  vi.spyOn(dns, 'lookup').mockImplementation(((name: string, options: dns.LookupOptions | ((...args: unknown[]) => void), callback?: (...args: unknown[]) => void) => {
    const done = (typeof options === 'function' ? options : callback)!;
    const all = typeof options === 'object' && options.all;
    if (name !== REBINDING) return (lookup as (...args: unknown[]) => void)(name, options, callback);
    process.nextTick(() => (all ? done(null, [{ address: '127.0.0.1', family: 4 }]) : done(null, '127.0.0.1', 4)));
  }) as unknown as typeof dns.lookup);
}

describe('the view guard and DNS rebinding', () => {
  it('refuses a name that resolved elsewhere when checked, on every path: request, CONNECT, upgrade', async () => {
    setup = await startView();
    rebind();
    // The guard's own look-up says 192.0.2.10: before this fix, that was forwarded, and reached the view.
    expect((await dns.promises.lookup(REBINDING, { all: true }))[0]!.address).toBe('192.0.2.10');

    const request = await requestThroughProxy(setup.proxy.port, `http://${REBINDING}:${setup.port}/api/settings`, { headers: { Authorization: `Bearer ${setup.token}` } });
    expect(request.status).toBe(403);
    expect(request.text).toContain('the web view is not reachable through the proxy');

    const tunnel = await sendRawRequest(setup.proxy.port, `CONNECT ${REBINDING}:${setup.port} HTTP/1.1\r\nHost: ${REBINDING}:${setup.port}\r\n\r\n`, 1000);
    expect(tunnel.split('\r\n')[0]).toBe('HTTP/1.1 403 Forbidden');

    const upgrade = await sendRawRequest(
      setup.proxy.port,
      `GET http://${REBINDING}:${setup.port}/api/events?token=${setup.token} HTTP/1.1\r\nHost: ${REBINDING}:${setup.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      1000,
    );
    expect(upgrade.split('\r\n')[0]).toBe('HTTP/1.1 403 Forbidden');
    expect(upgrade).not.toContain('event:');
  });

  it('lets the same name through to any other port (only view ports are guarded)', async () => {
    setup = await startView();
    const other = http.createServer((_req, res) => res.end('not the view'));
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve));
    try {
      rebind();
      const port = (other.address() as net.AddressInfo).port;
      const response = await requestThroughProxy(setup.proxy.port, `http://${REBINDING}:${port}/`);
      expect(response.text).toBe('not the view');
    } finally {
      await new Promise<void>((resolve) => other.close(() => resolve()));
    }
  });
});
