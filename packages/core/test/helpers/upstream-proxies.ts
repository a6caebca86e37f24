import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Server as ProxyChainServer, type PrepareRequestFunctionOpts } from 'proxy-chain';
import { createServer as createSocksServer } from '@pondwader/socks5-server';

/** An upstream proxy a test starts on 127.0.0.1, with what it saw. */
export interface TestUpstreamProxy {
  port: number;
  /** TCP connections capture opened to it. */
  readonly connections: number;
  /** What it was asked for: `GET http://…` for requests in absolute form, `CONNECT host:port` for tunnels. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** An authenticated HTTP proxy (npm `proxy-chain`) that accepts `user:pass` only; an `https://` one with `tls`. */
export async function startHttpUpstream(user: string, pass: string, tls?: { cert: string; key: string }): Promise<TestUpstreamProxy> {
  const requests: string[] = [];
  let connections = 0;
  const options = {
    port: 0,
    host: '127.0.0.1',
    verbose: false,
    prepareRequestFunction: ({ request, username, password, isHttp }: PrepareRequestFunctionOpts) => {
      const ok = username === user && password === pass;
      if (ok) requests.push(isHttp ? `${request.method} ${request.url}` : `CONNECT ${request.url}`);
      return { requestAuthentication: !ok, failMsg: 'bad credentials' };
    },
  };
  const server = new ProxyChainServer(tls ? { ...options, serverType: 'https', httpsOptions: tls } : options);
  server.server.on('connection', () => connections++);
  await server.listen();
  return {
    port: server.port,
    get connections() {
      return connections;
    },
    requests,
    close: () => server.close(true),
  };
}

/** A SOCKS5 proxy (npm `@pondwader/socks5-server`) that accepts `user:pass` only. */
export async function startSocksUpstream(user: string, pass: string): Promise<TestUpstreamProxy> {
  const requests: string[] = [];
  let connections = 0;
  const socks = createSocksServer({ auth: { username: user, password: pass } });
  socks.setRulesetValidator((connection) => {
    requests.push(`CONNECT ${connection.destAddress}:${connection.destPort}`);
    return true;
  });
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socks._handleConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
