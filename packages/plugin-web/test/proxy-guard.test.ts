import net from 'node:net';
import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { requestThroughProxy, sendRawRequest, type TestOrigin } from '@capture/core/testing';
import https from '@capture/plugin-https';
import history from '@capture/plugin-history';
import { api, startTestOrigin, startView, type ViewSetup } from './helpers/view.js';

// mitmproxy's CVE-2025-23217: mitmweb's API was reachable through the proxy itself, so any device
// using the proxy could drive it. The view must be unreachable through capture's proxy, by any
// name or route, while other local services (and other ports) stay reachable.

let setup: ViewSetup | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await setup?.close();
  await origin?.close();
  setup = undefined;
  origin = undefined;
});

/** Sends a CONNECT through the proxy and returns the status line it answers with. */
function connectThrough(proxyPort: number, authority: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxyPort, '127.0.0.1', () => socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`));
    let received = '';
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (received.includes('\r\n\r\n')) {
        socket.destroy();
        resolve(received.split('\r\n')[0]!);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received.split('\r\n')[0] ?? ''));
  });
}

describe('the view is not reachable through the proxy', () => {
  it('refuses plain requests for the view by every local name with 403 from the proxy, never forwarding them', async () => {
    setup = await startView();
    origin = await startTestOrigin();
    const { port, token } = setup;
    const names = ['127.0.0.1', 'localhost', 'LOCALHOST.', '[::1]', '[::ffff:127.0.0.1]', '2130706433', '0x7f.0.0.1', '127.1', '0.0.0.0', '127.0.0.2', os.hostname()];
    for (const name of names) {
      for (const path of [`/?token=${token}`, '/api/exchanges', '/api/settings']) {
        const response = await requestThroughProxy(setup.proxy.port, `http://${name}:${port}${path}`, { headers: { Authorization: `Bearer ${token}` } });
        expect(response.status, `${name}${path}`).toBe(403);
        expect(response.text, `${name}${path}`).toContain('the web view is not reachable through the proxy');
      }
    }
    // A POST that would clear history with the token, had it reached the view.
    const clear = await requestThroughProxy(setup.proxy.port, `http://127.0.0.1:${port}/api/clear`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{"confirm":true}',
    });
    expect(clear.status).toBe(403);

    // The same machine on another port is proxied as usual, and captured.
    const allowed = await requestThroughProxy(setup.proxy.port, `${origin.url}/json`);
    expect(allowed.status).toBe(200);
    const list = await api(setup, '/api/exchanges');
    const urls = list.json<{ exchanges: Array<{ url: string }> }>().exchanges.map((row) => row.url);
    // The refused requests are neither captured nor listed.
    expect(urls).toEqual([`${origin.url}/json`]);
  });

  it('refuses CONNECT to the view (which would otherwise tunnel to it), with or without HTTPS interception', async () => {
    for (const plugins of [[history({ flushInterval: 10 })], [https(), history({ flushInterval: 10 })]]) {
      setup = await startView({ plugins });
      origin = await startTestOrigin();
      for (const authority of [`127.0.0.1:${setup.port}`, `localhost:${setup.port}`, `[::1]:${setup.port}`]) {
        expect(await connectThrough(setup.proxy.port, authority), authority).toBe('HTTP/1.1 403 Forbidden');
      }
      // Another local port still tunnels.
      expect(await connectThrough(setup.proxy.port, `127.0.0.1:${origin.port}`)).toBe('HTTP/1.1 200 Connection Established');
      await setup.close();
      await origin.close();
      setup = undefined;
      origin = undefined;
    }
  });

  it('answers an upgrade the proxy forwards to the view with 403 (the view takes no upgrades)', async () => {
    setup = await startView();
    const raw = await sendRawRequest(
      setup.proxy.port,
      `GET http://127.0.0.1:${setup.port}/api/events?token=${setup.token} HTTP/1.1\r\nHost: 127.0.0.1:${setup.port}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      1000,
    );
    expect(raw.split('\r\n')[0]).toBe('HTTP/1.1 403 Forbidden');
    expect(raw).not.toContain('event:');
  });

  it('refuses a request that a plugin rewrote to point at the view', async () => {
    const rewrite = {
      name: 'rewrite',
      apply(proxy: import('@capture/core').CaptureProxy) {
        proxy.hooks.onRequest.tap({ name: 'rewrite', stage: 0 }, ({ outgoing }) => {
          if (outgoing.url.endsWith('/to-view')) outgoing.url = `http://127.0.0.1:${setup!.port}/api/settings`;
          return undefined;
        });
      },
    };
    setup = await startView({ plugins: [history({ flushInterval: 10 }), rewrite] });
    origin = await startTestOrigin();
    const response = await requestThroughProxy(setup.proxy.port, `${origin.url}/to-view`, { headers: { Authorization: `Bearer ${setup.token}` } });
    expect(response.status).toBe(403);
  });

  it('fails closed: on the port of the view, a name that cannot be checked is refused, not forwarded', async () => {
    setup = await startView();
    // .invalid never resolves (RFC 6761); a rebinding name could resolve to 127.0.0.1 by the time the proxy connects.
    const response = await requestThroughProxy(setup.proxy.port, `http://rebind-${setup.port}.invalid:${setup.port}/api/settings`, { headers: { Authorization: `Bearer ${setup.token}` } });
    expect(response.status).toBe(403);
    expect(await connectThrough(setup.proxy.port, `rebind.invalid:${setup.port}`)).toBe('HTTP/1.1 403 Forbidden');
  });
});

describe('the proxy of one capture and the view of another', () => {
  let other: ViewSetup | undefined;
  afterEach(async () => {
    await other?.close();
    other = undefined;
  });

  it('refuses requests and CONNECTs to any port a capture web view of this user listens on', async () => {
    setup = await startView();
    other = await startView();
    origin = await startTestOrigin();
    const toOther = await requestThroughProxy(setup.proxy.port, `http://127.0.0.1:${other.port}/api/settings`, { headers: { Authorization: `Bearer ${other.token}` } });
    expect(toOther.status).toBe(403);
    expect(await connectThrough(setup.proxy.port, `localhost:${other.port}`)).toBe('HTTP/1.1 403 Forbidden');
    // Once the other capture stops, its port is an ordinary port again.
    const port = other.port;
    await other.close();
    other = undefined;
    expect(await connectThrough(setup.proxy.port, `127.0.0.1:${origin.port}`)).toBe('HTTP/1.1 200 Connection Established');
    expect(port).not.toBe(origin.port);
  });
});
