import net from 'node:net';
import type { Duplex } from 'node:stream';
import { writeRawResponse } from './raw-response.js';
import { formatAuthority } from './host-pattern.js';

/** The answer to a CONNECT the proxy accepts. */
export const CONNECT_ESTABLISHED = 'HTTP/1.1 200 Connection Established\r\n\r\n';

/** What a blind tunnel carried, once it closed. */
export interface BlindTunnelSummary {
  /** Why it was tunnelled blindly: `TLS`, `the server spoke first`, `HTTP/2`, `not HTTP`, `no data`. */
  kind: string;
  /** Bytes from the client to the upstream. */
  sent: number;
  /** Bytes from the upstream to the client. */
  received: number;
}

/** Options for {@link tunnel}. */
export interface TunnelOptions {
  /** True when the client was told `200` already. */
  established: boolean;
  /** Milliseconds the upstream connection may take. */
  timeout: number;
  /**
   * Takes the client socket when its first bytes are an HTTP/1.x request (the upstream connection
   * is then closed): plain HTTP inside a tunnel is captured like any request.
   */
  onPlainHttp: (client: Duplex) => void;
  /**
   * Takes the client socket when it opens with HTTP/2's connection preface (cleartext h2 with
   * prior knowledge): its streams are captured like any request.
   */
  onHttp2PriorKnowledge: (client: Duplex) => void;
  /** Called once a blind tunnel closed. */
  onBlindClosed: (summary: BlindTunnelSummary) => void;
}

/**
 * An HTTP/1.x request line's start: a method token, a space, then an origin-form, absolute-form
 * or asterisk target. `PRI *` is HTTP/2's preface, not HTTP/1.
 */
const HTTP1_REQUEST_START = /^(?!PRI \*)[A-Z]{3,20} (?:\/|\*|[a-z][a-z0-9+.-]*:\/\/)/;

/** The start of HTTP/2's connection preface (RFC 9113 §3.4), which a cleartext h2 client sends first. */
const HTTP2_PREFACE_START = 'PRI * HTTP/2.0\r\n';

/** The first TLS record byte (handshake). */
const TLS_HANDSHAKE = 0x16;

/**
 * Connects to `hostname:port` and, once the client is told 200, waits for whoever speaks first:
 * an HTTP/1.x request from the client goes to `onPlainHttp` and HTTP/2's preface to
 * `onHttp2PriorKnowledge` (so they are captured); anything else (TLS, a server that greets first) is spliced to the upstream, both directions
 * streaming with backpressure, and summarised when it closes. When the connection fails before
 * it is established, the client gets a 502 if it has not been told 200 yet, else it is closed.
 */
export function tunnel(client: Duplex, hostname: string, port: number, options: TunnelOptions): void {
  const upstream = net.connect({ host: hostname, port });
  upstream.setNoDelay(true);
  let connected = false;
  let kind = 'no data';
  let blind = false;
  let handedOver = false;
  upstream.setTimeout(options.timeout, () => {
    if (!connected) upstream.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }));
  });

  const splice = () => {
    blind = true;
    upstream.pipe(client);
    client.pipe(upstream);
  };
  const stopWaiting = () => {
    client.off('data', onClientFirst);
    upstream.off('data', onUpstreamFirst);
  };
  const onClientFirst = (chunk: Buffer) => {
    stopWaiting();
    client.pause();
    client.unshift(chunk);
    upstream.pause();
    const start = chunk.toString('latin1', 0, Math.min(chunk.length, 64));
    const http1 = HTTP1_REQUEST_START.test(start);
    if (http1 || start.startsWith(HTTP2_PREFACE_START)) {
      handedOver = true;
      client.off('close', closeUpstream);
      client.off('error', closeUpstream);
      upstream.off('close', closeClient);
      upstream.destroy();
      if (http1) options.onPlainHttp(client);
      else options.onHttp2PriorKnowledge(client);
      return;
    }
    kind = chunk[0] === TLS_HANDSHAKE ? 'TLS' : chunk.toString('latin1', 0, 3) === 'PRI' ? 'HTTP/2' : 'not HTTP';
    splice();
  };
  const onUpstreamFirst = (chunk: Buffer) => {
    stopWaiting();
    upstream.pause();
    upstream.unshift(chunk);
    client.pause();
    kind = 'the server spoke first';
    splice();
  };

  upstream.once('connect', () => {
    connected = true;
    upstream.setTimeout(0);
    if (!options.established) client.write(CONNECT_ESTABLISHED);
    client.on('data', onClientFirst);
    upstream.on('data', onUpstreamFirst);
    // A tap that peeked at the socket left it paused; a 'data' listener alone does not resume it.
    client.resume();
  });
  upstream.on('error', (error: Error & { code?: string }) => {
    if (!connected && !options.established) {
      writeRawResponse(client, 502, `cannot open a tunnel to ${formatAuthority(hostname, port)} (${error.code ?? error.message})`);
    } else client.destroy();
  });
  const closeClient = () => {
    client.destroy();
    if (connected && !blind) stopWaiting();
  };
  const closeUpstream = () => upstream.destroy();
  // The upstream socket's own counters: nothing is counted per chunk.
  const summarise = () => {
    if (connected && !handedOver) options.onBlindClosed({ kind, sent: upstream.bytesWritten, received: upstream.bytesRead });
  };
  upstream.on('close', closeClient);
  upstream.once('close', summarise);
  client.on('error', closeUpstream);
  client.on('close', closeUpstream);
}
