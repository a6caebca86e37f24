import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Stage } from '../src/hooks.js';
import { collectExchanges, requestThroughProxy, startProxy, type TestProxy } from '../src/testing/index.js';

let proxy: TestProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

/** A proxy that answers every request itself with the URL it recorded, and hands CONNECTs over as decrypted connections. */
async function echoingProxy(): Promise<TestProxy> {
  const started = await startProxy();
  started.proxy.hooks.onRequest.tap({ name: 'echo-url', stage: Stage.TRANSFORM }, (context) => ({ statusCode: 200, body: context.exchange.request.url }));
  started.proxy.hooks.onConnect.tap('handover', (context) => {
    started.proxy.handleConnection(context.accept(), { secure: context.port !== 8080, hostname: context.hostname, port: context.port });
    return true;
  });
  return started;
}

/** Sends one origin-form GET inside a CONNECT tunnel to `authority`; resolves with the body. */
function getThroughTunnel(port: number, authority: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method: 'CONNECT', path: authority });
    req.on('connect', (_res, socket: net.Socket, head) => {
      if (head.length) socket.unshift(head);
      const inner = http.request({ path, headers: { Host: authority }, createConnection: () => socket });
      inner.on('response', (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => {
          socket.destroy();
          resolve(body);
        });
      });
      inner.on('error', reject);
      inner.end();
    });
    req.on('error', reject);
    req.end();
  });
}

describe('recorded URLs', () => {
  it('carry no default port for decrypted connections; IPv6 keeps brackets, other ports stay', async () => {
    proxy = await echoingProxy();
    const exchanges = collectExchanges(proxy.proxy);
    expect(await getThroughTunnel(proxy.port, 'registry.example:443', '/path')).toBe('https://registry.example/path');
    expect(await getThroughTunnel(proxy.port, '[::1]:443', '/v6')).toBe('https://[::1]/v6');
    expect(await getThroughTunnel(proxy.port, '[::1]:8443', '/v6')).toBe('https://[::1]:8443/v6');
    expect(await getThroughTunnel(proxy.port, 'plain.example:8080', '/p')).toBe('http://plain.example:8080/p');
    const urls = (await exchanges.waitFor(4)).map((exchange) => exchange.request.url);
    expect(urls).toEqual(['https://registry.example/path', 'https://[::1]/v6', 'https://[::1]:8443/v6', 'http://plain.example:8080/p']);
  });

  it('carry no default port when the client wrote one in an absolute URL', async () => {
    proxy = await echoingProxy();
    expect((await requestThroughProxy(proxy.port, 'http://example.test:80/a?b=1')).text).toBe('http://example.test/a?b=1');
    expect((await requestThroughProxy(proxy.port, 'http://[::1]:80/six')).text).toBe('http://[::1]/six');
    expect((await requestThroughProxy(proxy.port, 'http://example.test:8080/kept')).text).toBe('http://example.test:8080/kept');
  });
});
