import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { collectExchanges, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import filters from '../src/index.js';
import { testStorage } from './helpers.js';

const MiB = 1024 * 1024;
const SIZE = 200 * MiB;

let origin: TestOrigin | undefined;
let proxy: TestProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
});

/** Streams `size` bytes of "video" with backpressure, from one reused chunk: the origin holds 64 KiB. */
function streamVideo(size: number) {
  const chunk = Buffer.alloc(64 * 1024, 0x42);
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': size, 'X-Video': 'yes' });
    let left = size;
    const pump = () => {
      while (left > 0) {
        const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };
}

/** Memory that buffered bodies would occupy: Buffers (outside the heap) plus the heap. */
const held = () => {
  const usage = process.memoryUsage();
  return usage.arrayBuffers + usage.heapUsed;
};

describe('media responses', () => {
  it('streams a 200 MiB video/mp4 through with memory flat; the exchange keeps headers, status and time, no body', async () => {
    origin = await startOrigin(streamVideo(SIZE));
    const storage = testStorage();
    // A body cap above the video's size: without the media rule the core would keep all 200 MiB.
    proxy = await startProxy({ maxBodySize: 300 * MiB, plugins: [storage, filters()] });
    const exchanges = collectExchanges(proxy.proxy);
    const before = held();
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, held())), 10);
    let received = 0;
    let firstByte = 0;
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: proxy!.port, path: `${origin!.url}/movie.mp4`, agent: false });
      req.on('response', (res) => {
        res.on('data', (chunk: Buffer) => {
          if (received === 0) firstByte = chunk[0]!;
          received += chunk.length;
        });
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
    const [exchange] = await exchanges.waitFor(1);
    clearInterval(sampler);
    peak = Math.max(peak, held());

    expect(status).toBe(200);
    expect(received).toBe(SIZE);
    expect(firstByte).toBe(0x42);
    // Flat: chunks in flight and garbage not yet collected (about 40 MiB here), far from the
    // 200 MiB that keeping the body would add.
    expect(peak - before).toBeLessThan(100 * MiB);
    expect(storage.stored).toEqual([exchange]);
    expect(exchange!.skip).toBeUndefined();
    expect(exchange!.response).toMatchObject({ statusCode: 200, statusMessage: 'OK', bodySkipped: 'media' });
    expect(exchange!.response!.body).toBeUndefined();
    expect(exchange!.response!.headers).toEqual(expect.arrayContaining([['Content-Type', 'video/mp4'], ['X-Video', 'yes']]));
    expect(exchange!.sizes.responseBody).toBe(SIZE);
    expect(exchange!.timings.firstByte).toBeGreaterThan(0);
    expect(exchange!.timings.total).toBeGreaterThanOrEqual(exchange!.timings.firstByte!);
  });
});
