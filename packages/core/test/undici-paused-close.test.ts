import { createHash } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { collectExchanges, startProxy, type TestProxy } from '../src/testing/index.js';

/**
 * undici 7 asserted `!this.paused` when the upstream's FIN arrived while the proxy had paused a
 * close-delimited response for backpressure (nodejs/undici#5360): an uncaught AssertionError from
 * a socket 'end' handler that ended the whole proxy. The repository patches undici 7.30.2 with
 * a backport of the upstream fix (nodejs/undici#5474, `patches/undici@7.30.2.patch`); this test
 * fails (an uncaught AssertionError, and a truncated response) without it.
 */

const BODY_BYTES = 8 * 1024 * 1024;
const CLIENTS = 8;
const ROUNDS = 3;
/** A slow reader: one piece of this size per timer tick keeps the proxy's client side full. */
const READ_PIECE = 4 * 1024;

let proxy: TestProxy | undefined;
const origins: net.Server[] = [];
const sockets = new Set<net.Socket>();

afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  await proxy?.close();
  await Promise.all(origins.splice(0).map((origin) => new Promise<void>((resolve) => origin.close(() => resolve()))));
  proxy = undefined;
});

/** A deterministic body, so a truncation or reordering shows in its hash. */
function makeBody(size: number): Buffer {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (i * 131 + (i >>> 13)) & 0xff;
  return body;
}

/** A raw origin that answers every request with a body delimited only by closing the connection. */
async function startCloseDelimitedOrigin(body: Buffer): Promise<number> {
  const origin = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
    socket.once('data', () => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n');
      socket.end(body);
    });
  });
  origins.push(origin);
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
  return (origin.address() as net.AddressInfo).port;
}

interface SlowRead {
  head: string;
  body: Buffer;
  /** Whether the proxy ended the connection cleanly (FIN) rather than resetting it. */
  ended: boolean;
}

/** Sends one request through the proxy and reads the answer a piece per timer tick until the proxy closes. */
function slowRequest(proxyPort: number, url: string): Promise<SlowRead> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(proxyPort, '127.0.0.1');
    sockets.add(socket);
    const chunks: Buffer[] = [];
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    const pull = () => {
      timer = undefined;
      const piece = socket.read(READ_PIECE) ?? socket.read();
      if (piece) chunks.push(piece as Buffer);
      if (!socket.destroyed && !ended) timer = setTimeout(pull, 1);
    };
    socket.on('connect', () => {
      socket.write(`GET ${url} HTTP/1.1\r\nHost: ${new URL(url).host}\r\nConnection: close\r\n\r\n`);
      timer = setTimeout(pull, 1);
    });
    socket.on('end', () => {
      ended = true;
      for (let piece = socket.read(); piece; piece = socket.read()) chunks.push(piece as Buffer);
    });
    socket.on('error', reject);
    socket.on('close', () => {
      if (timer) clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      if (split < 0) return reject(new Error(`no response head in ${all.length} bytes`));
      resolve({ head: all.subarray(0, split).toString('latin1'), body: all.subarray(split + 4), ended });
    });
  });
}

/** Decodes a chunked body (the proxy re-frames a close-delimited body as chunked); throws on bad framing. */
function dechunk(wire: Buffer): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = wire.indexOf('\r\n', offset);
    if (lineEnd < 0) throw new Error(`chunked body cut at ${offset} of ${wire.length} bytes`);
    const size = Number.parseInt(wire.subarray(offset, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size)) throw new Error(`bad chunk size at ${offset}`);
    if (size === 0) return Buffer.concat(parts);
    parts.push(wire.subarray(lineEnd + 2, lineEnd + 2 + size));
    offset = lineEnd + 2 + size + 2;
  }
}

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('undici: a close-delimited response paused for backpressure as the FIN arrives', () => {
  it('reaches slow clients whole, is recorded, and the proxy keeps serving', async () => {
    // Whether the FIN lands while the parser is paused depends on how the last bytes split into
    // reads and is not deterministic, so rounds of slow clients with different body sizes run:
    // without the fix one of them crashed the proxy in about three runs of four (measured).
    let onUncaught: (error: unknown) => void = () => {};
    const crashed = new Promise<never>((_, reject) => (onUncaught = reject));
    crashed.catch(() => {});
    process.on('uncaughtException', onUncaught);
    try {
      const bodies = Array.from({ length: CLIENTS }, (_, i) => makeBody(BODY_BYTES + i * 12_345));
      const ports = await Promise.all(bodies.map((body) => startCloseDelimitedOrigin(body)));
      proxy = await startProxy();
      const exchanges = collectExchanges(proxy.proxy);
      for (let round = 0; round < ROUNDS; round++) {
        const reads = await Promise.race([
          Promise.all(ports.map((port) => slowRequest(proxy!.port, `http://127.0.0.1:${port}/big`))),
          crashed,
        ]);
        for (const [i, read] of reads.entries()) {
          expect(read.head).toMatch(/^HTTP\/1\.1 200 /);
          expect(read.head).toMatch(/\r\ntransfer-encoding: chunked/i);
          expect(read.ended).toBe(true);
          const received = dechunk(read.body);
          expect(received.length).toBe(bodies[i]!.length);
          expect(sha(received)).toBe(sha(bodies[i]!));
        }
      }
      for (let i = 0; i < CLIENTS * ROUNDS; i++) expect((await exchanges.next()).response?.statusCode).toBe(200);

      // The proxy is still alive and answers the next client the same way.
      const again = await Promise.race([slowRequest(proxy.port, `http://127.0.0.1:${ports[0]}/big`), crashed]);
      expect(sha(dechunk(again.body))).toBe(sha(bodies[0]!));
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  }, 120_000);
});
