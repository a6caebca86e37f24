import type { Duplex } from 'node:stream';

/** The first bytes a client sent in a CONNECT tunnel, read before deciding what to do with it. */
export type TunnelStart =
  /**
   * A TLS ClientHello; `servername` is its SNI, absent when the client sent none; `alpn` the
   * protocols it offers (`['h2', 'http/1.1']`), empty when it sent no ALPN extension.
   */
  | { kind: 'tls'; servername: string | undefined; alpn: string[]; bytes: Buffer }
  /** Something other than TLS (plain HTTP, SSH…), or nothing within the time allowed. */
  | { kind: 'other'; bytes: Buffer }
  /** The client closed before sending anything useful. */
  | { kind: 'closed' };

const TLS_HANDSHAKE_RECORD = 0x16;
const RECORD_HEADER = 5;
const CLIENT_HELLO = 0x01;
const EXTENSION_SERVER_NAME = 0x0000;
const EXTENSION_ALPN = 0x0010;
const SERVER_NAME_HOST = 0x00;

/**
 * Reads from `socket` until the first TLS record is complete (or the bytes are clearly not TLS),
 * then pauses the socket and puts every byte read back in front, so whoever takes the socket
 * next (a TLS server socket or a blind tunnel) sees the stream from its first byte. Server-first
 * protocols (the client sends nothing) are given up on after `timeoutMs`.
 */
export function readTunnelStart(socket: Duplex, timeoutMs: number): Promise<TunnelStart> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const finish = (result: TunnelStart) => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.pause();
      if (result.kind !== 'closed' && result.bytes.length) socket.unshift(result.bytes);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      chunks.push(chunk);
      length += chunk.length;
      const bytes = chunks.length === 1 ? chunk : Buffer.concat(chunks, length);
      if (bytes[0] !== TLS_HANDSHAKE_RECORD) return finish({ kind: 'other', bytes });
      if (bytes.length < RECORD_HEADER) return;
      const recordEnd = RECORD_HEADER + bytes.readUInt16BE(3);
      if (bytes.length < recordEnd) return;
      const hello = bytes.subarray(RECORD_HEADER, recordEnd);
      finish({ kind: 'tls', servername: parseServerName(hello), alpn: parseAlpn(hello), bytes });
    };
    const onEnd = () => finish({ kind: 'closed' });
    const timer = setTimeout(() => finish({ kind: 'other', bytes: Buffer.concat(chunks, length) }), timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
    socket.resume();
  });
}

/**
 * Finds the SNI host name in the body of a TLS handshake record holding a ClientHello
 * (RFC 8446 §4.1.2, RFC 6066 §3). Returns undefined for anything malformed or without SNI:
 * the caller then falls back to the CONNECT host, which is never wrong to use.
 */
export function parseServerName(handshake: Buffer): string | undefined {
  const extension = findExtension(handshake, EXTENSION_SERVER_NAME);
  return extension ? readHostName(extension) : undefined;
}

/**
 * The ALPN protocol names a ClientHello offers, in the client's order (RFC 7301 §3.1); empty
 * for a hello without the extension or a malformed one (the client then gets HTTP/1.1).
 */
export function parseAlpn(handshake: Buffer): string[] {
  const extension = findExtension(handshake, EXTENSION_ALPN);
  if (!extension || extension.length < 2) return [];
  const names: string[] = [];
  const listEnd = Math.min(2 + extension.readUInt16BE(0), extension.length);
  let offset = 2;
  while (offset < listEnd) {
    const size = extension.readUInt8(offset);
    offset += 1;
    if (size === 0 || offset + size > listEnd) break;
    names.push(extension.toString('latin1', offset, offset + size));
    offset += size;
  }
  return names;
}

/** The body of one extension of a ClientHello handshake message, or undefined. */
function findExtension(handshake: Buffer, wanted: number): Buffer | undefined {
  try {
    if (handshake[0] !== CLIENT_HELLO) return undefined;
    // type(1) length(3) version(2) random(32)
    let offset = 1 + 3 + 2 + 32;
    offset += 1 + handshake.readUInt8(offset); // session id
    offset += 2 + handshake.readUInt16BE(offset); // cipher suites
    offset += 1 + handshake.readUInt8(offset); // compression methods
    const extensionsEnd = Math.min(offset + 2 + handshake.readUInt16BE(offset), handshake.length);
    offset += 2;
    while (offset + 4 <= extensionsEnd) {
      const type = handshake.readUInt16BE(offset);
      const size = handshake.readUInt16BE(offset + 2);
      offset += 4;
      if (type === wanted) return handshake.subarray(offset, Math.min(offset + size, extensionsEnd));
      offset += size;
    }
  } catch {
    // A truncated or malformed hello reads past the end: treat it as carrying no name.
  }
  return undefined;
}

function readHostName(extension: Buffer): string | undefined {
  if (extension.length < 2) return undefined;
  const listEnd = Math.min(2 + extension.readUInt16BE(0), extension.length);
  let offset = 2;
  while (offset + 3 <= listEnd) {
    const type = extension.readUInt8(offset);
    const size = extension.readUInt16BE(offset + 1);
    offset += 3;
    if (type === SERVER_NAME_HOST) {
      const name = extension.toString('latin1', offset, offset + size).toLowerCase().replace(/\.$/, '');
      // Only plain host names can become certificate names; anything else is ignored.
      return /^[a-z0-9_-]+(\.[a-z0-9_-]+)*$/.test(name) && name.length <= 253 ? name : undefined;
    }
    offset += size;
  }
  return undefined;
}
