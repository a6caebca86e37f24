import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { collectExchanges, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

const cert = readFileSync(new URL('./fixtures/localhost.crt', import.meta.url));
const key = readFileSync(new URL('./fixtures/localhost.key', import.meta.url));

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;

afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
});

/** Opens a CONNECT tunnel through the proxy and resolves with the raw socket once it is established. */
function connectThrough(proxyPort: number, authority: string): Promise<{ status: number; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: authority });
    req.on('connect', (res, socket, head) => {
      if (head.length) socket.unshift(head);
      resolve({ status: res.statusCode ?? 0, socket });
    });
    req.on('error', reject);
    req.end();
  });
}

describe('CONNECT', () => {
  it('tunnels TLS blindly to the requested host by default', async () => {
    origin = await startOrigin((_req, res) => res.end('secret over tls'), https.createServer({ cert, key }) as unknown as http.Server);
    proxy = await startProxy();
    const { status, socket } = await connectThrough(proxy.port, `127.0.0.1:${origin.port}`);
    expect(status).toBe(200);
    const text = await new Promise<string>((resolve, reject) => {
      const req = https.request({ host: '127.0.0.1', path: '/', ca: cert, createConnection: () => tls.connect({ socket, ca: cert, servername: 'localhost' }) });
      req.on('response', (res) => {
        let data = '';
        res.on('data', (chunk: Buffer) => (data += chunk.toString()));
        res.on('end', () => resolve(data));
      });
      req.on('error', reject);
      req.end();
    });
    expect(text).toBe('secret over tls');
    socket.destroy();
  });

  it('answers 502 when the tunnel target is unreachable', async () => {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    proxy = await startProxy();
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: proxy!.port, method: 'CONNECT', path: `127.0.0.1:${port}` });
      req.on('connect', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(502);
  });

  it('lets an onConnect tap take the socket over', async () => {
    proxy = await startProxy();
    proxy.proxy.hooks.onConnect.tapPromise('greeter', async (context) => {
      const socket = context.accept();
      socket.end(`hello ${context.hostname}:${context.port}`);
      return true;
    });
    const { status, socket } = await connectThrough(proxy.port, 'example.test:8443');
    expect(status).toBe(200);
    const text = await new Promise<string>((resolve) => {
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
    });
    expect(text).toBe('hello example.test:8443');
  });
});

/** Builds a masked WebSocket text frame, as a client must send. */
function clientTextFrame(text: string): Buffer {
  const payload = Buffer.from(text);
  const mask = randomBytes(4);
  const masked = Buffer.from(payload.map((byte, index) => byte ^ mask[index % 4]!));
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]);
}

describe('WebSocket upgrade', () => {
  it('forwards the handshake, streams frames both ways and completes the exchange when the connection closes', async () => {
    origin = await startOrigin((_req, res) => res.end());
    const wss = new WebSocketServer({ server: origin.server });
    wss.on('connection', (ws) => {
      ws.send('welcome');
      ws.on('message', (data) => ws.send(`echo:${data.toString()}`));
    });
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const { socket, response } = await new Promise<{ socket: net.Socket; response: http.IncomingMessage }>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port: proxy!.port,
        path: `${origin!.url}/ws`,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
        },
      });
      req.on('upgrade', (res, upgraded, head) => {
        if (head.length) upgraded.unshift(head);
        resolve({ socket: upgraded, response: res });
      });
      req.on('error', reject);
      req.end();
    });
    expect(response.statusCode).toBe(101);
    const frames: string[] = [];
    const received = new Promise<void>((resolve) => {
      let buffer = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => {
        buffer = Buffer.concat([buffer, chunk]);
        while (buffer.length >= 2 && buffer.length >= 2 + (buffer[1]! & 0x7f)) {
          const length = buffer[1]! & 0x7f;
          frames.push(buffer.subarray(2, 2 + length).toString());
          buffer = buffer.subarray(2 + length);
          if (frames.length === 2) resolve();
        }
      });
    });
    socket.write(clientTextFrame('ping'));
    await received;
    expect(frames).toEqual(['welcome', 'echo:ping']);
    // Spliced (no onUpgraded tap): the exchange stays open until both sockets close.
    const next = exchanges.next();
    socket.destroy();
    const exchange = await next;
    expect(exchange.response?.statusCode).toBe(101);
    expect(exchange.response?.bodySkipped).toBe('upgrade');
    expect(exchange.websocket).toBeUndefined();
    expect(exchange.timings.total).toBeGreaterThanOrEqual(exchange.timings.firstByte!);
    for (const client of wss.clients) client.terminate();
    wss.close();
  });
});
