import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import type { TestCertificate } from './tls-origin.js';

/** A local HTTP/2 TLS origin (node:http2), closed with every session by `close()`. */
export interface H2Origin {
  server: http2.Http2SecureServer;
  port: number;
  close(): Promise<void>;
}

/**
 * Starts an HTTP/2 origin on 127.0.0.1. By default it answers JSON with the HTTP version it saw,
 * the path and the request body, plus a `grpc-status: 0` style trailer `x-done: yes`.
 * `allowHTTP1: false` makes it h2-only (ALPN `h2` alone).
 */
export async function startH2Origin(
  certificate: TestCertificate,
  options: { allowHTTP1?: boolean; handler?: (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void } = {},
): Promise<H2Origin> {
  const server = http2.createSecureServer({ key: certificate.keyPem, cert: certificate.certPem, allowHTTP1: options.allowHTTP1 ?? true });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.on('request', options.handler ?? echoVersion);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const session of sessions) session.destroy();
        server.close(() => resolve());
      }),
  };
}

function echoVersion(req: http2.Http2ServerRequest, res: http2.Http2ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.stringify({ httpVersion: req.httpVersion, path: req.url, body: Buffer.concat(chunks).toString('utf8'), trailers: req.trailers });
    res.writeHead(200, { 'content-type': 'application/json' });
    if (req.httpVersionMajor === 2) res.addTrailers({ 'x-done': 'yes' });
    res.end(body);
  });
}

/** Opens an HTTP/2 client session over a TLS socket already connected (through the proxy) with ALPN h2. */
export function h2Over(socket: import('node:tls').TLSSocket, authority: string): http2.ClientHttp2Session {
  const session = http2.connect(`https://${authority}`, { createConnection: () => socket });
  session.on('error', () => undefined);
  return session;
}

/** What one HTTP/2 request gave. */
export interface H2Result {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: string;
  trailers: http2.IncomingHttpHeaders | undefined;
}

/** Sends one request on a session and reads the whole response. Rejects when the stream is reset. */
export function h2Request(session: http2.ClientHttp2Session, headers: http2.OutgoingHttpHeaders, body?: string, trailers?: http2.OutgoingHttpHeaders): Promise<H2Result> {
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === undefined, waitForTrailers: trailers !== undefined });
    if (trailers) stream.on('wantTrailers', () => stream.sendTrailers(trailers));
    let head: http2.IncomingHttpHeaders = {};
    let received: http2.IncomingHttpHeaders | undefined;
    const chunks: Buffer[] = [];
    stream.on('response', (h) => (head = h));
    stream.on('trailers', (t) => (received = t));
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve({ status: Number(head[':status']), headers: head, body: Buffer.concat(chunks).toString('utf8'), trailers: received }));
    stream.on('error', reject);
    stream.on('close', () => {
      if (stream.rstCode) reject(Object.assign(new Error(`stream reset ${stream.rstCode}`), { rstCode: stream.rstCode }));
    });
    if (body !== undefined) stream.end(body);
  });
}
