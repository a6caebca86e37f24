import { readdirSync } from 'node:fs';
import { expect, vi } from 'vitest';
import type { CaptureProxy, Exchange } from '../../src/index.js';
import { requestThroughProxy, type TestOrigin } from '../../src/testing/index.js';

/** Descriptors that pooled upstream connections may hold after a test (see expectHealthy). */
const POOLED_ALLOWANCE = 4;

/** Open file descriptors of this process (Linux). */
export function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/**
 * After a fault: the proxy still serves a normal request, its client connections drain back to
 * zero and this process's file descriptors return to the baseline taken before the fault.
 */
export async function expectHealthy(proxy: CaptureProxy, port: number, origin: TestOrigin, fdBaseline: number): Promise<void> {
  const res = await requestThroughProxy(port, `${origin.url}/health`);
  expect(res.status).toBe(200);
  await vi.waitFor(() => expect(proxy.openConnections).toBe(0), { timeout: 10_000, interval: 50 });
  // Pooled keep-alive connections to the origin are expected (two descriptors each in this
  // process: the proxy's end and the origin's); anything beyond a few is a leak.
  await vi.waitFor(() => expect(openFds()).toBeLessThanOrEqual(fdBaseline + POOLED_ALLOWANCE), { timeout: 10_000, interval: 50 });
}

/** Every exchange handed to plugins is whole: consistent request, response or error, timings and sizes. */
export function expectWhole(exchange: Exchange): void {
  expect(exchange.response !== undefined || exchange.error !== undefined).toBe(true);
  expect(exchange.timings.total).toBeGreaterThanOrEqual(0);
  // Requests refused while parsing never had a URL; CONNECT exchanges (refused, or tunnelled
  // blindly and skipped) record the authority they asked for, as the request line has it.
  if (exchange.request.method === 'CONNECT') expect(exchange.request.url).toMatch(/^(\[[0-9a-f:.]+\]|[^:/[\]]+):\d+$/i);
  else if (!exchange.error || !['BAD_REQUEST', 'HEADERS_TOO_LARGE'].includes(exchange.error.code)) {
    expect(exchange.request.url).toMatch(/^https?:\/\//);
  }
  for (const [body, size] of [
    [exchange.request.body, exchange.sizes.requestBody],
    [exchange.response?.body, exchange.sizes.responseBody],
  ] as const) {
    if (!body) continue;
    expect(body.size).toBe(size);
    if (!body.truncated && !body.contentEncoding) expect(body.bytes.length).toBe(size);
    if (body.truncated) expect(body.bytes.length).toBeLessThanOrEqual(size);
  }
}
