import net from 'node:net';
import type { Duplex } from 'node:stream';
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
  /** True when the client was told it is connected already (`200`, or the SOCKS reply). */
  established: boolean;
  /** Tells the client the tunnel is open (`200 Connection Established`, or a SOCKS success reply). */
  establish: () => void;
  /** Answers the client that the tunnel could not be opened (an HTTP status line, or a SOCKS failure reply), then closes it. */
  refuse: (status: number, message: string) => void;
  /** Opens the upstream connection: direct, or through the upstream proxy. */
  open: (hostname: string, port: number) => Promise<net.Socket>;
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
 * it is established, the client gets a 502 (or the SOCKS failure) if it has not been told it is
 * connected yet, else it is closed.
 */
export function tunnel(client: Duplex, hostname: string, port: number, options: TunnelOptions): void {
  let settled = false;
  const onClientGone = () => {
    settled = true;
  };
  client.once('close', onClientGone);
  options.open(hostname, port).then(
    (upstream) => {
      client.off('close', onClientGone);
      if (settled || client.destroyed) return void upstream.destroy();
      relay(client, upstream, options);
    },
    (error: Error & { code?: string }) => {
      client.off('close', onClientGone);
      if (client.destroyed) return;
      if (!options.established) {
        // The upstream proxy's failure is its own sentence, naming it; a direct one names the target.
        if (error.code === 'ADDRESS_REFUSED') return options.refuse(403, error.message);
        const message = error.code === 'UPSTREAM_PROXY_FAILED' ? error.message : `cannot open a tunnel to ${formatAuthority(hostname, port)} (${error.code ?? error.message})`;
        options.refuse(502, message);
      } else client.destroy();
    },
  );
}

/** Once the upstream connection is open: the client is told 200 (unless it was), then whoever speaks first decides. */
function relay(client: Duplex, upstream: net.Socket, options: TunnelOptions): void {
  upstream.setNoDelay(true);
  // A connection through an upstream proxy has carried its handshake already: count from here.
  const baseWritten = upstream.bytesWritten;
  const baseRead = upstream.bytesRead - upstream.readableLength;
  let kind = 'no data';
  let blind = false;
  let handedOver = false;

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

  if (!options.established) options.establish();
  client.on('data', onClientFirst);
  upstream.on('data', onUpstreamFirst);
  // A tap that peeked at the socket left it paused (and a tunnel through a proxy arrives paused); a 'data' listener alone does not resume it.
  client.resume();
  upstream.resume();
  upstream.on('error', () => client.destroy());
  const closeClient = () => {
    client.destroy();
    if (!blind) stopWaiting();
  };
  const closeUpstream = () => upstream.destroy();
  // The upstream socket's own counters: nothing is counted per chunk.
  const summarise = () => {
    if (!handedOver) options.onBlindClosed({ kind, sent: upstream.bytesWritten - baseWritten, received: upstream.bytesRead - baseRead });
  };
  upstream.on('close', closeClient);
  upstream.once('close', summarise);
  client.on('error', closeUpstream);
  client.on('close', closeUpstream);
}
