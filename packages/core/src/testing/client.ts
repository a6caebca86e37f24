import http from 'node:http';
import net from 'node:net';

/** Options for {@link requestThroughProxy}. */
export interface ProxiedRequestOptions {
  /** Default `GET`. */
  method?: string;
  /** Request headers (object or Node's flat raw array). */
  headers?: http.OutgoingHttpHeaders | string[];
  /** A body to send. */
  body?: string | Buffer;
  /** An agent, e.g. a keep-alive one to test connection reuse; default a fresh connection. */
  agent?: http.Agent | false;
}

/** A response read whole (tests only: the proxy itself never buffers like this). */
export interface ProxiedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
  /** The body as UTF-8 text. */
  text: string;
}

/** Sends a request for an absolute `url` through the proxy on `proxyPort` and reads the whole response. */
export function requestThroughProxy(proxyPort: number, url: string, options: ProxiedRequestOptions = {}): Promise<ProxiedResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: proxyPort,
      method: options.method ?? 'GET',
      path: url,
      headers: options.headers ?? {},
      agent: options.agent ?? false,
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body, text: body.toString('utf8') });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

/** Writes raw bytes to a port and resolves with everything received until the server closes (or `idleMs` of silence). */
export function sendRawRequest(port: number, raw: string | Buffer, idleMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(idleMs, () => socket.end());
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? undefined : reject(error)));
    socket.write(raw);
  });
}
