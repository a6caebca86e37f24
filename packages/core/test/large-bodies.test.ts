import http from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { collectExchanges, requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '../src/testing/index.js';

const MiB = 1024 * 1024;
let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;

afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = undefined;
  origin = undefined;
});

/** A stream of `total` bytes made of one reused 64 KiB chunk, so the test itself holds no big buffer. */
function zeros(total: number): Readable {
  const chunk = Buffer.alloc(64 * 1024, 7);
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const size = Math.min(chunk.length, total - sent);
      sent += size;
      this.push(size === chunk.length ? chunk : chunk.subarray(0, size));
    },
  });
}

/** Samples RSS until stopped, returning the peak growth over the starting value. */
function watchMemory(): () => number {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  return () => {
    clearInterval(timer);
    return Math.max(peak, process.memoryUsage().rss) - start;
  };
}

describe('large bodies', () => {
  it('forwards 1 MiB up and down intact', async () => {
    const payload = Buffer.alloc(MiB);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    origin = await startOrigin((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => res.end(Buffer.concat(chunks)));
    });
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const res = await requestThroughProxy(proxy.port, `${origin.url}/echo`, { method: 'POST', body: payload });
    expect(res.body.equals(payload)).toBe(true);
    const exchange = await exchanges.next();
    expect(exchange.request.body?.bytes.equals(payload)).toBe(true);
    expect(exchange.response?.body?.bytes.equals(payload)).toBe(true);
  });

  it('streams 200 MiB each way without the proxy holding the body', async () => {
    const total = 200 * MiB;
    let uploaded = 0;
    origin = await startOrigin((req, res) => {
      if (req.method === 'POST') {
        req.on('data', (chunk: Buffer) => (uploaded += chunk.length));
        req.on('end', () => res.end(String(uploaded)));
        return;
      }
      res.writeHead(200, { 'Content-Length': total, 'Content-Type': 'application/octet-stream' });
      zeros(total).pipe(res);
    });
    proxy = await startProxy();
    const exchanges = collectExchanges(proxy.proxy);
    const stop = watchMemory();

    const uploadResult = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: proxy!.port, method: 'POST', path: `${origin!.url}/up`, headers: { 'Content-Length': total } });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      pipeline(zeros(total), req).catch(reject);
    });
    const downloaded = await new Promise<number>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: proxy!.port, path: `${origin!.url}/down` }, (res) => {
          let count = 0;
          res.on('data', (chunk: Buffer) => (count += chunk.length));
          res.on('end', () => resolve(count));
        })
        .on('error', reject);
    });
    const growth = stop();

    expect(uploadResult).toBe(String(total));
    expect(downloaded).toBe(total);
    const [up, down] = await exchanges.waitFor(2);
    expect(up!.request.body?.truncated).toBe(true);
    expect(up!.sizes.requestBody).toBe(total);
    expect(down!.response?.body?.bytes.length).toBe(10 * MiB);
    expect(down!.sizes.responseBody).toBe(total);
    // Capture keeps 10 MiB per direction; everything else must stream.
    expect(growth).toBeLessThan(100 * MiB);
  }, 60_000);
});
