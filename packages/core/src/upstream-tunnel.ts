import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import { formatAuthority } from './host-pattern.js';
import type { UpstreamProxy } from './upstream-proxy.js';

/**
 * The upstream proxy failed or refused (407, an error status, a SOCKS failure, unreachable).
 * The client gets 502 with this one line, which names the proxy by its display URL only.
 */
export class UpstreamProxyError extends Error {
  readonly code = 'UPSTREAM_PROXY_FAILED';
}

/** Options for {@link openThroughProxy}. */
export interface ProxyTunnelOptions {
  /** Milliseconds the proxy may take to connect and answer. */
  timeout: number;
  /** How to verify an `https://` proxy's own certificate. */
  proxyTls?: Pick<tls.ConnectionOptions, 'secureContext' | 'rejectUnauthorized'>;
}

/** Longest answer head to a CONNECT read from an HTTP proxy. */
const MAX_CONNECT_ANSWER = 64 * 1024;

/**
 * Opens a connection to `hostname:port` through the upstream proxy: `CONNECT` for `http://`
 * and `https://` proxies (with `Proxy-Authorization: Basic` from its URL), the SOCKS5 `CONNECT`
 * command for `socks5://` (the name resolved here) and `socks5h://` (the name resolved by the
 * proxy). Resolves with the socket carrying the target's bytes; rejects with an
 * {@link UpstreamProxyError}.
 */
export async function openThroughProxy(proxy: UpstreamProxy, hostname: string, port: number, options: ProxyTunnelOptions): Promise<net.Socket> {
  if (proxy.protocol === 'socks5' || proxy.protocol === 'socks5h') return openSocks(proxy, hostname, port, options);
  return openConnect(proxy, hostname, port, options);
}

async function openSocks(proxy: UpstreamProxy, hostname: string, port: number, options: ProxyTunnelOptions): Promise<net.Socket> {
  let host = hostname;
  if (proxy.protocol === 'socks5' && net.isIP(hostname) === 0) {
    try {
      host = (await lookup(hostname)).address;
    } catch (error) {
      throw new UpstreamProxyError(`cannot resolve host ${hostname} for upstream proxy ${proxy.display} (${(error as NodeJS.ErrnoException).code ?? 'lookup failed'})`);
    }
  }
  try {
    // Loaded by the first SOCKS upstream connection only (~100 files).
    const { SocksClient } = await import('socks');
    const { socket } = await SocksClient.createConnection({
      proxy: { host: proxy.hostname, port: proxy.port, type: 5, ...(proxy.username ? { userId: proxy.username, password: proxy.password } : {}) },
      command: 'connect',
      destination: { host, port },
      timeout: options.timeout,
    });
    // Until the caller listens, an error must not go unhandled; the caller's own listeners still get it.
    socket.on('error', () => undefined);
    return socket;
  } catch (error) {
    // The library's words ("Socks5 Authentication failed", "Socks5 proxy rejected connection - HostUnreachable") carry no secret.
    throw new UpstreamProxyError(`upstream proxy ${proxy.display} failed to connect to ${formatAuthority(hostname, port)}: ${(error as Error).message}`);
  }
}

function openConnect(proxy: UpstreamProxy, hostname: string, port: number, options: ProxyTunnelOptions): Promise<net.Socket> {
  const authority = formatAuthority(hostname, port);
  return new Promise((resolve, reject) => {
    const socket: net.Socket =
      proxy.protocol === 'https'
        ? tls.connect({ host: proxy.hostname, port: proxy.port, servername: net.isIP(proxy.hostname) ? undefined : proxy.hostname, ...options.proxyTls, ALPNProtocols: ['http/1.1'] })
        : net.connect({ host: proxy.hostname, port: proxy.port });
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      reject(new UpstreamProxyError(`upstream proxy ${proxy.display} ${message}`));
    };
    const onTimeout = () => fail(`did not answer within ${options.timeout / 1000} s`);
    const onError = (error: NodeJS.ErrnoException) => fail(`cannot be reached (${error.code ?? error.message})`);
    const onClose = () => fail(`closed the connection before answering CONNECT ${authority}`);
    socket.setTimeout(options.timeout, onTimeout);
    socket.on('error', onError);
    socket.on('close', onClose);
    socket.once(proxy.protocol === 'https' ? 'secureConnect' : 'connect', () => {
      const auth = proxy.username || proxy.password ? `Proxy-Authorization: Basic ${Buffer.from(`${proxy.username}:${proxy.password}`).toString('base64')}\r\n` : '';
      socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${auth}\r\n`);
    });
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buffered.length > MAX_CONNECT_ANSWER) fail(`sent an answer head larger than ${MAX_CONNECT_ANSWER} bytes`);
        return;
      }
      socket.off('data', onData);
      const statusLine = buffered.toString('latin1', 0, buffered.indexOf('\r\n'));
      const match = /^HTTP\/1\.[01] (\d{3})(?: (.*))?$/.exec(statusLine);
      if (!match) return fail(`sent a malformed answer to CONNECT ${authority}`);
      const status = Number(match[1]);
      if (status === 407) {
        return fail(proxy.username ? `refused the credentials in its URL (407 Proxy Authentication Required)` : `requires authentication (407 Proxy Authentication Required); put user:pass@ in its URL`);
      }
      if (status < 200 || status > 299) return fail(`answered ${status}${match[2] ? ` ${match[2]}` : ''} to CONNECT ${authority}`);
      settled = true;
      socket.pause();
      socket.setTimeout(0);
      socket.off('timeout', onTimeout);
      socket.off('close', onClose);
      socket.off('error', onError);
      // Until the caller listens (a tick away), an error must not go unhandled; the caller's own listeners still get it.
      socket.on('error', () => undefined);
      const rest = buffered.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      resolve(socket);
    };
    socket.on('data', onData);
  });
}
