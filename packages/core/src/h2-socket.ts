import { Duplex } from 'node:stream';

/**
 * A plain Duplex over a decrypted TLS socket, for `node:http2` to serve. Given the TLS socket
 * itself, Node's http2 reads its native handle while the socket (already flowing in JS after
 * the handshake a plugin ran) hands its bytes to JS listeners, so the session never sees the
 * client's preface. Through this bridge Node wraps the stream in its JS stream socket instead.
 * Backpressure holds both ways: the TLS socket pauses while the session's buffer is full, and
 * writes complete when the TLS socket took them.
 */
export function http2Bridge(socket: Duplex): Duplex {
  const bridge = new Duplex({
    read() {
      socket.resume();
    },
    write(chunk: Buffer, _encoding, callback) {
      if (socket.destroyed) return callback(new Error('the client connection closed'));
      socket.write(chunk, (error) => callback(error ?? null));
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  socket.on('data', (chunk: Buffer) => {
    if (!bridge.push(chunk)) socket.pause();
  });
  socket.once('end', () => bridge.push(null));
  socket.once('close', () => bridge.destroy());
  socket.on('error', () => bridge.destroy());
  return bridge;
}
