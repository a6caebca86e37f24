import type { Duplex } from 'node:stream';

/** A socket kept reading while it waits, to notice the client leaving. */
export interface SocketWatch {
  /** True once the client closed or reset the connection. */
  gone(): boolean;
  /** Stops watching: pauses the socket and puts every byte read meanwhile back in front. */
  stop(): void;
}

/**
 * Watches a paused socket (bytes already put back with `unshift`) while its certificate waits
 * for its turn. A paused socket is not read, so a client that hangs up would go unnoticed and
 * its certificate issued for nobody; reading it (and keeping what arrives) notices the end or
 * reset at once, and {@link SocketWatch.stop} hands the stream on intact.
 */
export function watchSocket(socket: Duplex): SocketWatch {
  const chunks: Buffer[] = [];
  let ended = false;
  const onData = (chunk: Buffer) => chunks.push(chunk);
  const onEnd = () => (ended = true);
  socket.on('data', onData);
  socket.once('end', onEnd);
  socket.once('close', onEnd);
  socket.on('error', onEnd);
  socket.resume();
  return {
    gone: () => ended || socket.destroyed,
    stop() {
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.off('error', onEnd);
      socket.pause();
      if (chunks.length) socket.unshift(Buffer.concat(chunks));
    },
  };
}
