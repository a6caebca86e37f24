import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** Handles a request on a test origin. */
export type OriginHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** A test origin server. */
export interface TestOrigin {
  /** The Node server, e.g. to listen for `upgrade`. */
  server: http.Server;
  /** Its port on 127.0.0.1. */
  port: number;
  /** `http://127.0.0.1:PORT`. */
  url: string;
  /** How many TCP connections it accepted (to check connection reuse). */
  readonly connections: number;
  /** Closes it and every connection to it. */
  close(): Promise<void>;
}

/**
 * An origin that echoes: it answers JSON with the method, URL, headers (raw, in order) and the
 * request body as text. Pass a handler to answer otherwise.
 */
export async function startOrigin(handler: OriginHandler = echo, server: http.Server = http.createServer()): Promise<TestOrigin> {
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on('request', handler);
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function echo(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = JSON.stringify({
      method: req.method,
      url: req.url,
      rawHeaders: req.rawHeaders,
      body: Buffer.concat(chunks).toString('utf8'),
    });
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  });
}
