import { Server as ProxyChainServer } from 'proxy-chain';

/** The address the upstream proxy connects to origins from: an origin can tell its connections from capture's own (127.0.0.1). */
export const UPSTREAM_SOURCE_ADDRESS = '127.0.0.2';

/** An HTTP upstream proxy (npm `proxy-chain`) on 127.0.0.1, with the CONNECTs it was asked for. */
export interface UpstreamProxy {
  /** `http://127.0.0.1:<port>`, for the `upstreamProxy` option. */
  url: string;
  /** `CONNECT host:port` for every tunnel it opened, in order. */
  readonly connects: string[];
  close(): Promise<void>;
}

/**
 * Starts an unauthenticated HTTP upstream proxy whose connections to origins leave from
 * {@link UPSTREAM_SOURCE_ADDRESS}, so an origin that serves only that address is reachable
 * through it alone.
 */
export async function startUpstreamProxy(): Promise<UpstreamProxy> {
  const connects: string[] = [];
  const server = new ProxyChainServer({
    port: 0,
    host: '127.0.0.1',
    verbose: false,
    prepareRequestFunction: ({ request, isHttp }) => {
      if (!isHttp) connects.push(`CONNECT ${request.url}`);
      // IPv4: `localhost` may resolve to ::1 first, which cannot be reached from an IPv4 address.
      return { localAddress: UPSTREAM_SOURCE_ADDRESS, ipFamily: 4 };
    },
  });
  await server.listen();
  return { url: `http://127.0.0.1:${server.port}`, connects, close: () => server.close(true) };
}
