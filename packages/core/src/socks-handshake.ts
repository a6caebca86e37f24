import net from 'node:net';
import type { Duplex } from 'node:stream';
import { formatAuthority } from './host-pattern.js';

/** A SOCKS client's CONNECT, once its handshake completed. */
export interface SocksConnect {
  version: 4 | 5;
  hostname: string;
  port: number;
  /** The source its credentials are registered with (SOCKS5 username/password), else undefined. */
  source: string | undefined;
}

/** What the handshake asks of the proxy. */
export interface SocksGate {
  /** True when proxy authentication (`auth`) is configured: SOCKS5 must authenticate, SOCKS4 is refused. */
  authRequired: boolean;
  /** Checks SOCKS5 credentials: the exchange source they stand for (`''` for the connection's own), or undefined when refused. */
  authenticate(username: string, password: string): string | undefined;
  /** Milliseconds the client has to complete the handshake. */
  timeout: number;
}

/** SOCKS5 reply codes (RFC 1928 section 6). */
export const SOCKS5_REPLY = {
  succeeded: 0x00,
  generalFailure: 0x01,
  notAllowed: 0x02,
  hostUnreachable: 0x04,
  connectionRefused: 0x05,
  commandNotSupported: 0x07,
  addressTypeNotSupported: 0x08,
} as const;

/**
 * Milliseconds the rest of a message that arrived in part is waited for. Clients write each
 * handshake message whole, so a message that stays incomplete is not SOCKS (random bytes that
 * happen to start with 0x04 or 0x05), and is closed rather than held until `timeout`.
 */
const PARTIAL_MESSAGE_MS = 2_000;

/** A host name as SOCKS4a and SOCKS5 carry it: letters, digits, dots, hyphens, underscores (IPv6 only from SOCKS5's binary form). */
const HOST_NAME = /^[A-Za-z0-9._-]{1,255}$/;

/** Longest handshake message: a SOCKS4a request with a 255-byte user id and host name, or SOCKS5 credentials. */
const MAX_HANDSHAKE = 1024;

/** The SOCKS reply to a CONNECT: success, or a failure code for SOCKS5 (SOCKS4 has one: 0x5B). */
export function socksReply(version: 4 | 5, code: number): Buffer {
  if (version === 4) return Buffer.from([0x00, code === SOCKS5_REPLY.succeeded ? 0x5a : 0x5b, 0, 0, 0, 0, 0, 0]);
  return Buffer.from([0x05, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0]);
}

/**
 * Runs the server side of a SOCKS5 (RFC 1928, username/password per RFC 1929) or SOCKS4/4a
 * handshake on a socket whose first byte said SOCKS. Resolves with the CONNECT it asks for,
 * any bytes past it unshifted back; or with undefined once it answered a refusal itself
 * (BIND and UDP ASSOCIATE: "command not supported"; failed authentication; a malformed or slow
 * handshake) and closed the socket.
 */
export function socksHandshake(socket: Duplex, gate: SocksGate): Promise<SocksConnect | undefined> {
  return new Promise((resolve) => {
    let buffered: Buffer = Buffer.alloc(0);
    let stage: 'greeting' | 'credentials' | 'request' = 'greeting';
    let version: 4 | 5 = 5;
    let source: string | undefined;
    let done = false;
    const timer = setTimeout(() => refuse(), gate.timeout);
    let partial: NodeJS.Timeout | undefined;
    const finish = (result: SocksConnect | undefined) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearTimeout(partial);
      socket.off('data', onData);
      socket.off('close', onClose);
      resolve(result);
    };
    const refuse = (reply?: Buffer) => {
      if (reply && socket.writable) socket.end(reply);
      else socket.destroy();
      // A client that keeps sending after the refusal is not waited for.
      setTimeout(() => socket.destroy(), 1_000).unref();
      finish(undefined);
    };
    const onClose = () => finish(undefined);
    /** Takes `length` bytes when they have all arrived. */
    const take = (length: number): Buffer | undefined => {
      if (buffered.length < length) return undefined;
      const out = buffered.subarray(0, length);
      buffered = buffered.subarray(length);
      return out;
    };
    const step = (): boolean => {
      if (stage === 'greeting') {
        version = buffered[0] === 0x04 ? 4 : 5;
        if (version === 4) return socks4();
        if (buffered.length < 2) return false;
        const methods = take(2 + buffered[1]!);
        if (!methods) return false;
        const offered = [...methods.subarray(2)];
        // Username/password when auth is configured, or when the client offers only that (its credentials may name a source).
        const method = gate.authRequired ? (offered.includes(0x02) ? 0x02 : 0xff) : offered.includes(0x00) ? 0x00 : offered.includes(0x02) ? 0x02 : 0xff;
        if (method === 0xff) {
          refuse(Buffer.from([0x05, 0xff]));
          return false;
        }
        socket.write(Buffer.from([0x05, method]));
        stage = method === 0x02 ? 'credentials' : 'request';
        return true;
      }
      if (stage === 'credentials') {
        if (buffered[0] !== 0x01) {
          refuse(Buffer.from([0x01, 0x01]));
          return false;
        }
        if (buffered.length < 2) return false;
        const userLength = buffered[1]!;
        if (buffered.length < 3 + userLength) return false;
        const passLength = buffered[2 + userLength]!;
        const message = take(3 + userLength + passLength);
        if (!message) return false;
        const username = message.toString('utf8', 2, 2 + userLength);
        const password = message.toString('utf8', 3 + userLength);
        const granted = gate.authenticate(username, password);
        if (granted === undefined) {
          refuse(Buffer.from([0x01, 0x01]));
          return false;
        }
        source = granted || undefined;
        socket.write(Buffer.from([0x01, 0x00]));
        stage = 'request';
        return true;
      }
      if (buffered[0] !== 0x05 || (buffered.length > 2 && buffered[2] !== 0x00)) {
        refuse(socksReply(5, SOCKS5_REPLY.generalFailure));
        return false;
      }
      if (buffered.length < 5) return false;
      const [, command, , addressType, first] = buffered as unknown as number[];
      const addressLength = addressType === 0x01 ? 4 : addressType === 0x04 ? 16 : addressType === 0x03 ? 1 + first! : -1;
      if (addressLength < 0) {
        refuse(socksReply(5, SOCKS5_REPLY.addressTypeNotSupported));
        return false;
      }
      const request = take(4 + addressLength + 2);
      if (!request) return false;
      if (command !== 0x01) {
        // BIND (0x02) and UDP ASSOCIATE (0x03): capture relays TCP streams it can read only.
        refuse(socksReply(5, SOCKS5_REPLY.commandNotSupported));
        return false;
      }
      const address = request.subarray(4, 4 + addressLength);
      const hostname = addressType === 0x01 ? [...address].join('.') : addressType === 0x04 ? ipv6(address) : address.toString('latin1', 1);
      connect(hostname, request.readUInt16BE(4 + addressLength));
      return false;
    };
    const socks4 = (): boolean => {
      if (buffered.length > 1 && buffered[1] !== 0x01 && buffered[1] !== 0x02) {
        refuse(socksReply(4, SOCKS5_REPLY.notAllowed));
        return false;
      }
      if (buffered.length < 9) return false;
      const userEnd = buffered.indexOf(0, 8);
      // The user id is text (curl sends its user name or nothing).
      for (let i = 8; i < (userEnd < 0 ? buffered.length : userEnd); i++) {
        if (buffered[i]! < 0x20 || buffered[i]! > 0x7e) {
          refuse(socksReply(4, SOCKS5_REPLY.notAllowed));
          return false;
        }
      }
      if (userEnd < 0) return false;
      const ip = buffered.subarray(4, 8);
      // SOCKS4a: 0.0.0.x (x not 0) means "the host name follows the user id".
      const named = ip[0] === 0 && ip[1] === 0 && ip[2] === 0 && ip[3] !== 0;
      let end = userEnd + 1;
      let hostname = [...ip].join('.');
      if (named) {
        const hostEnd = buffered.indexOf(0, end);
        if (hostEnd < 0) return false;
        hostname = buffered.toString('latin1', end, hostEnd);
        end = hostEnd + 1;
      }
      const request = take(end)!;
      // SOCKS4 carries no password: with auth configured it is refused, as is BIND.
      if (request[1] !== 0x01 || gate.authRequired || !hostname) {
        refuse(socksReply(4, SOCKS5_REPLY.notAllowed));
        return false;
      }
      connect(hostname, request.readUInt16BE(2));
      return false;
    };
    const connect = (hostname: string, port: number) => {
      if (port === 0 || !(HOST_NAME.test(hostname) || net.isIP(hostname))) {
        refuse(socksReply(version, SOCKS5_REPLY.generalFailure));
        return;
      }
      if (buffered.length) socket.unshift(buffered);
      socket.pause();
      finish({ version, hostname, port, source });
    };
    const onData = (chunk: Buffer) => {
      buffered = buffered.length ? Buffer.concat([buffered, chunk]) : chunk;
      if (buffered.length > MAX_HANDSHAKE) return refuse();
      while (!done && buffered.length && step());
      clearTimeout(partial);
      if (!done && buffered.length) partial = setTimeout(() => refuse(), PARTIAL_MESSAGE_MS);
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.resume();
  });
}

/** The target as a CONNECT request line names it. */
export function socksAuthority(request: SocksConnect): string {
  return formatAuthority(request.hostname, request.port);
}

function ipv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  // Node's own formatting (compressed zeros), through a throwaway parse.
  const text = groups.join(':');
  return net.isIPv6(text) ? new URL(`http://[${text}]/`).hostname.slice(1, -1) : text;
}
