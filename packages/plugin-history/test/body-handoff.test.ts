import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HANDOFF_BYTES, Stage, type CapturePlugin } from '@capture/core';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history from '../src/index.js';
import { openHistoryDatabase } from '../src/database.js';
import { fileIdentity } from '../src/file-safety.js';
import { DEFAULT_MAX_BYTES } from '../src/options.js';
import type { HistoryRow } from '../src/record.js';
import { HistoryStore } from '../src/store.js';
import { hasHandOffBody, WriteWorkerClient } from '../src/worker-client.js';
import { historyRow as row } from './helpers/rows.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
let client: WriteWorkerClient | undefined;
afterEach(async () => {
  await client?.close();
  await proxy?.close();
  await origin?.close();
  client = proxy = origin = undefined;
  cleanupAll();
});

/** Bytes that differ at every offset, so a byte lost or moved shows. */
function numbered(length: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

async function startedClient(): Promise<{ client: WriteWorkerClient; file: string; failures: string[] }> {
  const file = path.join(tempDir(), 'history.db');
  openHistoryDatabase(file).db.close();
  const failures: string[] = [];
  const started = new WriteWorkerClient({ file, identity: fileIdentity(file), maxEntries: 100, maxAge: undefined, maxBytes: DEFAULT_MAX_BYTES }, { onFailure: (message) => void failures.push(message) });
  await started.ready;
  return { client: started, file, failures };
}

describe('the writer taking large bodies instead of copies', () => {
  it('transfers the memory of a large body no tap reads any more, copies the others, and stores both byte for byte', async () => {
    const started = await startedClient();
    client = started.client;
    const taken = numbered(2 * HANDOFF_BYTES, 1);
    const lent = numbered(2 * HANDOFF_BYTES, 2);
    const small = numbered(HANDOFF_BYTES - 1, 3);
    const expected = [Buffer.from(taken), Buffer.from(lent), Buffer.from(small)];
    const settledRow = row({ started_at: 1, response_body: taken, request_body: small });
    const readRow = row({ started_at: 2, response_body: lent });
    expect(hasHandOffBody(settledRow)).toBe(true);
    client.write([settledRow, readRow], new WeakSet<HistoryRow>([settledRow]));
    // Transferred: the capture's memory now belongs to the writer, which frees it once stored.
    expect(taken.byteLength).toBe(0);
    // Still read by a tap (not settled) or short: copied, left as they were.
    expect(Buffer.compare(lent, expected[1]!)).toBe(0);
    expect(Buffer.compare(small, expected[2]!)).toBe(0);
    await client.sync();
    expect(started.failures).toEqual([]);
    const store = new HistoryStore(openHistoryDatabase(started.file).db);
    const [first, second] = [store.get(1), store.get(2)];
    expect(Buffer.compare(first!.response!.body!.bytes, expected[0]!)).toBe(0);
    expect(Buffer.compare(first!.request.body!.bytes, expected[2]!)).toBe(0);
    expect(Buffer.compare(second!.response!.body!.bytes, expected[1]!)).toBe(0);
    store.close();
  });

  it('sends a buffer two bodies share once (a plugin that answered with the request body), and stores both', async () => {
    const started = await startedClient();
    client = started.client;
    const shared = numbered(2 * HANDOFF_BYTES, 4);
    const expected = Buffer.from(shared);
    const echoed = row({ started_at: 1, request_body: shared, response_body: new Uint8Array(shared.buffer, 0, shared.byteLength) });
    client.write([echoed], new WeakSet<HistoryRow>([echoed]));
    expect(shared.byteLength).toBe(0);
    await client.sync();
    expect(started.failures).toEqual([]);
    const store = new HistoryStore(openHistoryDatabase(started.file).db);
    const stored = store.get(1);
    expect(Buffer.compare(stored!.request.body!.bytes, expected)).toBe(0);
    expect(Buffer.compare(stored!.response!.body!.bytes, expected)).toBe(0);
    store.close();
  });

  it('takes a download only after every later tap has settled; a tap still reading it keeps it whole', async () => {
    const download = numbered(3 * HANDOFF_BYTES, 7);
    origin = await startOrigin((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' });
      res.end(download);
    });
    let release!: () => void;
    let readLate: Promise<number> | undefined;
    const kept: Buffer[] = [];
    // An observer after storage: the first exchange it holds on to until the test lets it go.
    const observer: CapturePlugin = {
      name: 'late-reader',
      apply(p) {
        p.hooks.onExchange.tap({ name: 'late-reader', stage: Stage.OBSERVE }, (exchange) => {
          const bytes = exchange.response!.body!.bytes;
          kept.push(bytes);
          if (readLate) return undefined;
          readLate = new Promise<void>((resolve) => (release = resolve)).then(() => bytes.byteLength);
          return readLate.then(() => undefined);
        });
      },
    };
    const plugin = history({ flushInterval: 10 });
    proxy = await startProxy({ dataDir: tempDir(), plugins: [plugin, observer] });
    // The first download is flushed while its observer still reads it: history copies it.
    expect((await requestThroughProxy(proxy.port, `${origin.url}/first`)).status).toBe(200);
    await plugin.api!.flush();
    release();
    expect(await readLate).toBe(download.length);
    // The writer thread starts with the first batches: once it runs, a settled download is taken.
    let attempts = 0;
    while (kept.at(-1)!.byteLength !== 0 && attempts++ < 20) {
      expect((await requestThroughProxy(proxy.port, `${origin.url}/again`)).status).toBe(200);
      await plugin.api!.flush();
    }
    expect(kept.at(-1)!.byteLength).toBe(0);
    expect(kept[0]!.byteLength).toBe(download.length);
    const stored = await plugin.api!.exchangesAsync({});
    expect(stored.length).toBe(kept.length);
    for (const exchange of stored) expect(Buffer.compare(exchange.response!.body!.bytes, download)).toBe(0);
  });
});
