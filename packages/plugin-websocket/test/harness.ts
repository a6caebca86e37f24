import net, { type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import { WebSocket, WebSocketServer, type PerMessageDeflateOptions } from 'ws';
import { relayWebSocket, type RelayHandle, type RelayOptions } from '../src/index.js';

/**
 * A loopback test rig: a real `ws` server, and a TCP splice in front of it that passes the
 * HTTP upgrade handshake through raw, then hands both sockets to `relayWebSocket` (as core will).
 * No side effects on import; everything it starts, `close()` stops.
 */
export interface Rig {
  /** The `ws` server behind the relay. */
  readonly server: WebSocketServer;
  /** The relay's address, `ws://127.0.0.1:PORT/`. */
  readonly url: string;
  /** The relay's two sockets of each connection (the client's side, the origin's side), in connection order. */
  readonly spliced: Array<{ readonly client: Socket; readonly upstream: Socket }>;
  /** Every relay started, in connection order. */
  readonly relays: RelayHandle[];
  /** Resolves with the next relay when a connection has been handed over. */
  nextRelay(): Promise<RelayHandle>;
  /** Opens a `ws` client through the relay and waits for it to open. */
  connect(options?: { perMessageDeflate?: boolean | PerMessageDeflateOptions; path?: string }): Promise<WebSocket>;
  /** With `tapBytes`: per connection, the bytes each side sent and what the relay wrote to the other. */
  readonly bytes: TappedBytes[];
  close(): Promise<void>;
}

/** The bytes of one connection after the handshake (with `tapBytes`). */
export interface TappedBytes {
  readonly fromClient: Buffer[];
  readonly toOrigin: Buffer[];
  readonly fromOrigin: Buffer[];
  readonly toClient: Buffer[];
}

/** The parts of an upgraded connection the rig hands over. */
export interface HandedOver {
  readonly client: Socket;
  readonly upstream: Socket;
  readonly clientHead: Buffer;
  readonly upstreamHead: Buffer;
  readonly extensions: string | undefined;
}

/** Options of {@link startRig}. */
export interface RigOptions {
  /** The server's `permessage-deflate` (default off). */
  readonly perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** Relay options other than the sockets and heads. */
  readonly relay?: Omit<RelayOptions, 'client' | 'upstream' | 'clientHead' | 'upstreamHead' | 'extensions'>;
  /** Record raw bytes each way (memory: only for small tests). */
  readonly tapBytes?: boolean;
  /** Hands each upgraded connection to this instead of calling `relayWebSocket` (as core's hook will). */
  readonly handOver?: (parts: HandedOver) => void;
  /** `ws` server's max payload (default 64 MiB). */
  readonly maxPayload?: number;
}

/** Reads an HTTP head (up to the blank line); resolves with it and whatever followed. */
function readHead(socket: Socket): Promise<{ head: Buffer; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer): void => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end === -1) return;
      socket.off('data', onData);
      socket.off('error', reject);
      socket.pause();
      resolve({ head: buffered.subarray(0, end + 4), rest: buffered.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

/** Starts a rig; see {@link Rig}. */
export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    perMessageDeflate: options.perMessageDeflate ?? false,
    maxPayload: options.maxPayload ?? 64 * 1024 * 1024,
  });
  await once(server, 'listening');
  const serverPort = (server.address() as AddressInfo).port;
  const relays: RelayHandle[] = [];
  const spliced: Array<{ client: Socket; upstream: Socket }> = [];
  const waiters: Array<(relay: RelayHandle) => void> = [];
  const sockets = new Set<Socket>();
  const clients = new Set<WebSocket>();
  const bytes: TappedBytes[] = [];

  const splice = net.createServer(async (client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => undefined);
    const request = await readHead(client);
    const upstream = net.connect(serverPort, '127.0.0.1');
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => undefined);
    upstream.setNoDelay(true);
    upstream.write(request.head);
    const response = await readHead(upstream);
    const extensions = /^sec-websocket-extensions:\s*(.*)$/im.exec(response.head.toString('latin1'))?.[1]?.trim();
    client.write(response.head);
    if (options.tapBytes) {
      const tapped: TappedBytes = { fromClient: [request.rest], toOrigin: [], fromOrigin: [response.rest], toClient: [] };
      bytes.push(tapped);
      client.on('data', (chunk: Buffer) => tapped.fromClient.push(chunk));
      upstream.on('data', (chunk: Buffer) => tapped.fromOrigin.push(chunk));
      tapWrites(client, tapped.toClient);
      tapWrites(upstream, tapped.toOrigin);
    }
    if (options.handOver) {
      options.handOver({ client, upstream, clientHead: request.rest, upstreamHead: response.rest, extensions });
      return;
    }
    const relay = relayWebSocket({
      ...options.relay,
      client,
      upstream,
      clientHead: request.rest,
      upstreamHead: response.rest,
      extensions,
    });
    relays.push(relay);
    spliced.push({ client, upstream });
    waiters.shift()?.(relay);
  });
  splice.listen(0, '127.0.0.1');
  await once(splice, 'listening');
  const url = `ws://127.0.0.1:${(splice.address() as AddressInfo).port}/`;

  return {
    server,
    url,
    relays,
    spliced,
    bytes,
    nextRelay: () => new Promise((resolve) => waiters.push(resolve)),
    async connect(connectOptions = {}) {
      const ws = new WebSocket(url + (connectOptions.path ?? ''), {
        perMessageDeflate: connectOptions.perMessageDeflate ?? false,
        maxPayload: 64 * 1024 * 1024,
      });
      clients.add(ws);
      ws.on('close', () => clients.delete(ws));
      await once(ws, 'open');
      return ws;
    },
    async close() {
      for (const ws of clients) ws.terminate();
      for (const client of server.clients) client.terminate();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => splice.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Copies what is written to a socket (what the relay forwarded) into `into`. */
function tapWrites(socket: Socket, into: Buffer[]): void {
  const write = socket.write.bind(socket) as (chunk: Buffer, ...rest: unknown[]) => boolean;
  (socket as unknown as { write: typeof write }).write = (chunk: Buffer, ...rest: unknown[]) => {
    into.push(Buffer.from(chunk));
    return write(chunk, ...rest);
  };
}

/** Resolves with the next message a `ws` socket receives. */
export function nextMessage(ws: WebSocket): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve) => ws.once('message', (data: Buffer, isBinary: boolean) => resolve({ data, isBinary })));
}

/** Makes the server echo every message (text as text, binary as binary). */
export function echo(server: WebSocketServer): void {
  server.on('connection', (ws) => ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary })));
}

/** Opens a raw TCP WebSocket client through the relay: the handshake done, the socket returned for hand-made frames. */
export async function rawClient(url: string): Promise<{ socket: Socket; rest: Buffer }> {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  socket.write(
    'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
  );
  const { head, rest } = await readHead(socket);
  if (!head.toString('latin1').startsWith('HTTP/1.1 101')) throw new Error(`no 101: ${head.toString('latin1')}`);
  return { socket, rest };
}

/** Reads all a socket sends until it closes. */
export async function readAll(socket: Socket, already: Buffer = Buffer.alloc(0)): Promise<Buffer> {
  const chunks = [already];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  socket.resume();
  await once(socket, 'close');
  return Buffer.concat(chunks);
}

/** A `ws` client that sends its upgrade to a capture proxy in absolute form (`GET http://host/path`, as a proxy-aware client does). */
export function absoluteFormClient(proxyPort: number, url: string, options: { perMessageDeflate?: boolean } = {}): WebSocket {
  return new WebSocket(url, {
    perMessageDeflate: options.perMessageDeflate ?? true,
    createConnection: () => net.connect(proxyPort, '127.0.0.1'),
    finishRequest: (req) => {
      req.path = url.replace(/^ws:/, 'http:');
      req.end();
    },
  });
}
