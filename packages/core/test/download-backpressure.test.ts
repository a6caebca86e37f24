import http from 'node:http';
import https from 'node:https';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';
import { localhostCert, localhostKey } from './helpers/fixtures.js';

const cert = localhostCert;
const key = localhostKey;
const MiB = 1024 * 1024;
/** Far more than every buffer on the way (sockets, kernel, the proxy's marks) can hold. */
const TOTAL = 256 * MiB;
/** What the origin may have written while the client reads nothing: kernel buffers both ways and the proxy's marks. */
const IN_FLIGHT_BOUND = 48 * MiB;

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
let client: http.ClientRequest | undefined;
afterEach(async () => {
  client?.destroy();
  await proxy?.close();
  await origin?.close();
  client = proxy = origin = undefined;
});

/** An origin that streams TOTAL bytes with backpressure and counts what it has written. */
async function streamingOrigin(secure: boolean): Promise<{ origin: TestOrigin; written: () => number; blocked: () => boolean }> {
  const chunk = Buffer.alloc(64 * 1024, 3);
  let written = 0;
  let response: http.ServerResponse | undefined;
  const handler = (_req: http.IncomingMessage, res: http.ServerResponse) => {
    response = res;
    res.writeHead(200, { 'Content-Length': TOTAL, 'Content-Type': 'application/octet-stream' });
    const more = () => {
      while (written < TOTAL) {
        written += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', more);
      }
      res.end();
    };
    more();
  };
  const server = secure ? https.createServer({ key, cert }) : http.createServer();
  const started = await startOrigin(handler, server);
  return { origin: started, written: () => written, blocked: () => response?.writableNeedDrain === true };
}

describe('a download to a client that stops reading', () => {
  for (const secure of [false, true]) {
    it(`stops reading the ${secure ? 'HTTPS' : 'HTTP'} origin until the client reads again, then delivers every byte`, async () => {
      const streaming = await streamingOrigin(secure);
      origin = streaming.origin;
      proxy = await startProxy();
      if (secure) proxy.proxy.setUpstreamTls({ ca: [cert] });
      const url = secure ? origin.url.replace('http://127.0.0.1', 'https://localhost') : origin.url;
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        client = http.get({ host: '127.0.0.1', port: proxy!.port, path: `${url}/big` }, resolve);
        client.on('error', reject);
      });
      expect(response.statusCode).toBe(200);
      response.pause();
      // The origin fills what the proxy takes and then waits, its count standing still between two
      // looks: the proxy holds back. Without backpressure it would write the whole body and finish.
      let last = -1;
      await vi.waitFor(
        () => {
          const now = streaming.written();
          const standing = now === last && streaming.blocked();
          last = now;
          expect(standing).toBe(true);
        },
        { timeout: 20_000, interval: 250 },
      );
      expect(streaming.written()).toBeLessThan(IN_FLIGHT_BOUND);
      let received = 0;
      response.on('data', (piece: Buffer) => (received += piece.length));
      await new Promise<void>((resolve, reject) => {
        response.on('end', resolve);
        response.on('error', reject);
        response.resume();
      });
      expect(received).toBe(TOTAL);
    }, 60_000);
  }
});
