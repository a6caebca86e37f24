import tls from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { collectExchanges, startProxy, type TestProxy } from '../src/testing/index.js';
import { localhostCert, localhostKey } from './helpers/fixtures.js';

const cert = Buffer.from(localhostCert);
const key = Buffer.from(localhostKey);

let proxy: TestProxy | undefined;
const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await proxy?.close();
  proxy = undefined;
});

const identity = (value: Buffer) => value;
const echoService: grpc.ServiceDefinition = {
  say: { path: '/test.Echo/Say', requestStream: false, responseStream: false, requestSerialize: identity, requestDeserialize: identity, responseSerialize: identity, responseDeserialize: identity },
};

describe('grpc-js with grpc.http_connect_target', () => {
  it("sends capture's own address as :authority inside the tunnel: the call goes to the CONNECT target, not back to capture", async () => {
    const server = new grpc.Server();
    server.addService(echoService, {
      say: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => callback(null, Buffer.concat([Buffer.from('echo: '), call.request])),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createSsl(null, [{ private_key: key, cert_chain: cert }]), (error, bound) => (error ? reject(error) : resolve(bound))),
    );
    cleanups.push(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));

    proxy = await startProxy();
    proxy.proxy.setUpstreamTls({ ca: [cert.toString()] });
    const exchanges = collectExchanges(proxy.proxy);
    // The https plugin's part, done by hand: terminate TLS with ALPN h2, the origin chose h2.
    proxy.proxy.hooks.onConnect.tap('terminate', (context) => {
      const secure = new tls.TLSSocket(context.accept(), { isServer: true, cert, key, ALPNProtocols: ['h2'] });
      proxy!.proxy.handleHttp2Connection(secure, { secure: true, hostname: context.hostname, port: context.port, upstreamProtocol: 'h2' });
      return true;
    });

    // The channel's target is capture; the CONNECT goes to the origin; :authority stays capture's address.
    const client = new grpc.Client(`127.0.0.1:${proxy.port}`, grpc.credentials.createSsl(cert), {
      'grpc.http_connect_target': `dns:///localhost:${port}`,
      'grpc.ssl_target_name_override': 'localhost',
    });
    cleanups.push(() => client.close());
    const reply = await new Promise<Buffer>((resolve, reject) =>
      client.makeUnaryRequest('/test.Echo/Say', identity, identity, Buffer.from('hi'), (error, value) => (error ? reject(error) : resolve(value!))),
    );
    expect(reply.toString()).toBe('echo: hi');
    const [exchange] = await exchanges.waitFor(1);
    expect(exchange!.request.url).toBe(`https://localhost:${port}/test.Echo/Say`);
    expect([exchange!.response?.statusCode, exchange!.request.httpVersion, exchange!.response?.httpVersion]).toEqual([200, '2', '2']);
    // One exchange: capture never connected back to itself (that inner exchange would complete first).
    expect(exchanges.all.map((recorded) => recorded.request.url)).toEqual([`https://localhost:${port}/test.Echo/Say`]);
  });
});
