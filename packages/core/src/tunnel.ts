import net from 'node:net';
import type { Duplex } from 'node:stream';
import { writeRawResponse } from './raw-response.js';
import { formatAuthority } from './host-pattern.js';

/** The answer to a CONNECT the proxy accepts. */
export const CONNECT_ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';

/**
 * Connects to `hostname:port` and splices the client's socket to it, both directions
 * streaming with backpressure. When the connection fails before it is established, the client
 * gets a 502 if it has not been told 200 yet (`established` false), else it is closed.
 */
export function tunnel(
  client: Duplex,
  hostname: string,
  port: number,
  options: { established: boolean; timeout: number; onUpstream?: (upstream: net.Socket) => void },
): void {
  const upstream = net.connect({ host: hostname, port });
  options.onUpstream?.(upstream);
  upstream.setNoDelay(true);
  let connected = false;
  upstream.setTimeout(options.timeout, () => {
    if (!connected) upstream.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }));
  });
  upstream.once('connect', () => {
    connected = true;
    upstream.setTimeout(0);
    if (!options.established) client.write(CONNECT_ESTABLISHED);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  upstream.on('error', (error: Error & { code?: string }) => {
    if (!connected && !options.established) {
      writeRawResponse(client, 502, `cannot open a tunnel to ${formatAuthority(hostname, port)} (${error.code ?? error.message})`);
    } else client.destroy();
  });
  upstream.on('close', () => client.destroy());
  client.on('error', () => upstream.destroy());
  client.on('close', () => upstream.destroy());
}
