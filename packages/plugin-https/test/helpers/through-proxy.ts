import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';

/** Opens a CONNECT tunnel through the proxy; resolves with the raw socket once the proxy answered 200. */
export function connectTunnel(proxyPort: number, authority: string, localAddress?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    // `localAddress` (127.0.0.2…) makes the proxy see another client.
    const req = http.request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: authority, agent: false, ...(localAddress ? { localAddress } : {}) });
    req.on('connect', (res, socket, head) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`CONNECT ${authority} answered ${res.statusCode}`));
        return;
      }
      if (head.length) socket.unshift(head);
      resolve(socket);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Options for {@link tlsThroughProxy}. */
export interface TlsThroughProxyOptions {
  /** CA certificates to trust (PEM); default: the system's. */
  ca?: string | string[];
  /** SNI to send; `false` sends none. Default: the host of `authority` when it is a name. */
  servername?: string | false;
  /** Name to check the certificate against, when it differs from the SNI (or there is none). */
  checkName?: string;
  /** Verify the certificate. Default true. */
  rejectUnauthorized?: boolean;
  /** ALPN protocols to offer. */
  ALPNProtocols?: string[];
  /** The client's own address (127.0.0.2…), so the proxy sees another client. */
  localAddress?: string;
}

/** CONNECTs through the proxy to `authority` then does a TLS handshake; resolves with the connected TLS socket. */
export async function tlsThroughProxy(proxyPort: number, authority: string, options: TlsThroughProxyOptions = {}): Promise<tls.TLSSocket> {
  const socket = await connectTunnel(proxyPort, authority, options.localAddress);
  const host = authority.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const servername = options.servername === false ? undefined : (options.servername ?? (net.isIP(host) ? undefined : host));
  const checkName = options.checkName ?? servername ?? host;
  return new Promise((resolve, reject) => {
    const secure = tls.connect({
      socket,
      ...(servername ? { servername } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
      rejectUnauthorized: options.rejectUnauthorized ?? true,
      ...(options.ALPNProtocols ? { ALPNProtocols: options.ALPNProtocols } : {}),
      checkServerIdentity: (_name, cert) => tls.checkServerIdentity(checkName, cert),
    });
    secure.once('secureConnect', () => resolve(secure));
    secure.once('error', (error) => {
      socket.destroy();
      reject(error);
    });
  });
}

/** A whole HTTP response read from a TLS socket (tests only). */
export interface HttpsResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
}

const agents = new WeakMap<tls.TLSSocket, http.Agent>();

/** A keep-alive agent whose only connection is `socket`, so successive requests reuse it. */
function agentOver(socket: tls.TLSSocket): http.Agent {
  let agent = agents.get(socket);
  if (!agent) {
    agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    // The socket is already TLS: plain HTTP runs over it.
    agent.createConnection = () => socket;
    agents.set(socket, agent);
  }
  return agent;
}

/** Sends one GET over an established TLS socket (kept open for more) and reads the response whole. */
export function getOverSocket(socket: tls.TLSSocket, host: string, path = '/'): Promise<HttpsResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ path, agent: agentOver(socket), headers: { Host: host } });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}
