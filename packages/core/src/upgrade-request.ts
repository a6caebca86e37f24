import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { setHostHeader, toForwardedHeaders } from './headers.js';
import type { OutgoingRequest } from './hooks.js';
import { formatAuthority } from './host-pattern.js';
import type { UpstreamPool } from './upstream-pool.js';

/**
 * Starts the origin's leg of an upgrade: an HTTP/1.1 request with `Upgrade` on a connection of
 * its own (never pooled), direct (address guard applied) or through the upstream proxy, with the
 * same TLS trust as pooled requests. The caller listens for `upgrade`, `response` and `error`
 * and ends it. A literal address the guard refuses gives `{ refused }` instead.
 */
export function openUpgradeRequest(
  upstream: UpstreamPool,
  target: URL,
  outgoing: OutgoingRequest,
  keepHost: boolean,
): { request: http.ClientRequest; authority: string } | { refused: string } {
    const secure = target.protocol === 'https:' || target.protocol === 'wss:';
    const hostname = target.hostname.startsWith('[') ? target.hostname.slice(1, -1) : target.hostname;
    const port = target.port ? Number(target.port) : secure ? 443 : 80;
    const authority = formatAuthority(hostname, port);
    const headers = toForwardedHeaders(outgoing.headers, { keepUpgrade: true, dropProxyAuthorization: true });
    if (!keepHost || !headers.some((value, index) => index % 2 === 0 && value.toLowerCase() === 'host')) setHostHeader(headers, target.host);
    // secureContext reaches tls.connect, though https.RequestOptions does not declare it.
    const options: https.RequestOptions & Pick<tls.ConnectionOptions, 'secureContext'> = {
      hostname,
      port,
      method: outgoing.method,
      path: target.pathname + target.search,
      headers,
      setHost: false,
      // An upgraded connection leaves the pool for good, so do not take one from it.
      agent: false,
    };
    const trust = upstream.tlsFor(hostname);
    if (!upstream.routes.for(hostname, port, secure)) {
      // Direct: a literal is checked here, a name by the lookup the connection is made with.
      const refused = upstream.guard.literalRefusal(hostname, port);
      if (refused) return { refused: refused.message };
      const lookup = upstream.guard.lookup(port);
      if (lookup) options.lookup = lookup;
    }
    if (secure) {
      // Same verification (and client certificate) as pooled requests, though an upgrade takes a connection of its own.
      options.servername = hostname;
      if (trust.secureContext) options.secureContext = trust.secureContext;
      options.rejectUnauthorized = trust.rejectUnauthorized;
    }
    if (upstream.routes.for(hostname, port, secure)) {
      // Through the upstream proxy: its tunnel (CONNECT or SOCKS) first, TLS over it for wss://.
      options.createConnection = ((_options: unknown, done: (error: Error | null, socket?: Duplex) => void) => {
        upstream.openSocket(hostname, port, secure).then((tunnelled) => {
          tunnelled.resume();
          if (!secure) return done(null, tunnelled);
          const servername = net.isIP(hostname) ? {} : { servername: hostname };
          done(null, tls.connect({ socket: tunnelled, host: hostname, ...servername, rejectUnauthorized: trust.rejectUnauthorized, ...(trust.secureContext ? { secureContext: trust.secureContext } : {}) }));
        }, (error: Error) => done(error));
        return undefined;
      }) as unknown as https.RequestOptions['createConnection'];
      // Node ignores createConnection when an agent is set, even a fresh one (`agent: false`).
      delete options.agent;
    }
  return { request: (secure ? https : http).request(options), authority };
}
