import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { CaptureError, type CaptureProxy, type ConnectContext, type HostMatcher } from '@capture/core';
import type { CertificateCache } from './certificate-cache.js';
import { readTunnelStart } from './client-hello.js';
import type { HandshakeFailures, HttpsStats } from './handshake-failures.js';

/** A client that opens a tunnel and says nothing for this long is speaking a server-first protocol: tunnel it. */
const CLIENT_HELLO_TIMEOUT_MS = 3_000;
/** A TLS handshake that has not finished after this long is abandoned. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

/** What the CONNECT tap needs. */
export interface InterceptorDeps {
  readonly proxy: CaptureProxy;
  readonly certificates: CertificateCache;
  readonly passthrough: HostMatcher;
  readonly failures: HandshakeFailures;
  readonly stats: HttpsStats;
  /** Reports an error that has no response to go to (the plugin context's `report`). */
  readonly report: (error: CaptureError) => void;
}

/**
 * The `onConnect` tap. Passthrough hosts (by CONNECT host) are left to the core's blind tunnel.
 * Anything else is accepted and its first bytes read: a TLS ClientHello is terminated with a
 * certificate for its SNI name (else the CONNECT host) and the decrypted connection handed to
 * the proxy, whose hooks then see `https://` URLs; non-TLS traffic and passthrough SNI names are
 * tunnelled with the bytes already read put back.
 */
export function createConnectTap(deps: InterceptorDeps): (ctx: ConnectContext) => Promise<true | undefined> {
  return async (ctx) => {
    if (deps.passthrough(ctx.hostname)) {
      deps.stats.passedThrough++;
      return undefined;
    }
    const socket = ctx.accept();
    // Start issuing the CONNECT host's certificate now: it is ready by the time the client's
    // ClientHello has crossed the network, which on a phone over Wi-Fi hides it completely.
    if (!net.isIP(ctx.hostname)) deps.certificates.contextFor(ctx.hostname).catch(() => undefined);
    void intercept(deps, ctx, socket);
    return true;
  };
}

async function intercept(deps: InterceptorDeps, ctx: ConnectContext, socket: Duplex): Promise<void> {
  const start = await readTunnelStart(socket, CLIENT_HELLO_TIMEOUT_MS);
  if (start.kind === 'closed') return void socket.destroy();
  const servername = start.kind === 'tls' ? start.servername : undefined;
  if (start.kind === 'other' || (servername && deps.passthrough(servername))) {
    deps.stats.passedThrough++;
    ctx.tunnel(socket);
    return;
  }
  // The name the client will check: its SNI, else what it asked CONNECT for (an IP gets an IP SAN).
  const certificateName = servername ?? ctx.hostname;
  let secureContext: tls.SecureContext;
  try {
    secureContext = await deps.certificates.contextFor(certificateName);
  } catch (error) {
    socket.destroy();
    deps.report(new CaptureError('TLS_CERTIFICATE_FAILED', `cannot issue a certificate for ${certificateName}: ${(error as Error).message}`, { cause: error }));
    return;
  }
  if (socket.destroyed) return;
  const tlsSocket = new tls.TLSSocket(socket as net.Socket, { isServer: true, secureContext, ALPNProtocols: ['http/1.1'] });
  let done = false;
  const fail = (end: Parameters<HandshakeFailures['record']>[2]) => {
    if (done) return;
    done = true;
    clearTimeout(timer);
    deps.failures.record(certificateName, ctx.client, end);
    tlsSocket.destroy();
  };
  const timer = setTimeout(() => fail({ timedOut: HANDSHAKE_TIMEOUT_MS }), HANDSHAKE_TIMEOUT_MS);
  tlsSocket.on('error', (error: Error) => fail({ error }));
  tlsSocket.once('close', () => fail({ closed: true }));
  // The CONNECT socket comes from http.Server, which allows half-open sockets, and so does the
  // TLS socket made from it: a client hanging up mid-handshake shows as 'end', not 'close'.
  tlsSocket.once('end', () => fail({ closed: true }));
  tlsSocket.once('secure', () => {
    done = true;
    clearTimeout(timer);
    deps.stats.intercepted++;
    // Requests go where the client asked; an IP CONNECT with a server name goes to that name,
    // so the upstream sees the right SNI and its certificate can be verified.
    const hostname = servername && net.isIP(ctx.hostname) ? servername : ctx.hostname;
    // The CONNECT's source (`run:npm`, from its proxy credentials) carries over to every request inside.
    deps.proxy.handleConnection(tlsSocket, { secure: true, hostname, port: ctx.port, client: ctx.client, source: ctx.source });
  });
}
