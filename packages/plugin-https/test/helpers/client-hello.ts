import net from 'node:net';
import tls from 'node:tls';

/** Captures the first TLS record a real Node TLS client sends (its ClientHello) to a plain TCP server. */
export async function captureClientHello(options: tls.ConnectionOptions): Promise<Buffer> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  try {
    const received = new Promise<Buffer>((resolve) => {
      server.once('connection', (socket) => {
        let bytes = Buffer.alloc(0);
        socket.on('data', (chunk: Buffer) => {
          bytes = Buffer.concat([bytes, chunk]);
          if (bytes.length >= 5 && bytes.length >= 5 + bytes.readUInt16BE(3)) {
            resolve(bytes);
            socket.destroy();
          }
        });
      });
    });
    const client = tls.connect({ host: '127.0.0.1', port, ...options });
    client.on('error', () => undefined);
    const hello = await received;
    client.destroy();
    return hello;
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
