import { writeFileSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Stage } from '@capture/core';
import { afterEach, describe, expect, it } from 'vitest';
import { h2Over, h2Request, startH2Origin, type H2Origin } from './helpers/h2-origin.js';
import { startHttpsProxy, tempDataDir, type HttpsTestProxy } from './helpers/https-proxy.js';
import { tlsThroughProxy } from './helpers/through-proxy.js';
import { selfSignedCertificate } from './helpers/tls-origin.js';

let files: ReturnType<typeof tempDataDir> | undefined;
let origin: H2Origin | undefined;
let proxy: HttpsTestProxy | undefined;

afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  files?.remove();
});

/** The heap in use after a full collection (the flag is set at run time, so no special worker is needed). */
function heapAfterGc(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

describe('a long-lived HTTP/2 connection', () => {
  it('keeps memory flat over 20,000 sequential streams (no per-stream state retained)', async () => {
    files = tempDataDir();
    const cert = selfSignedCertificate(['localhost']);
    const caFile = path.join(files.dir, 'origin.pem');
    writeFileSync(caFile, cert.certPem);
    origin = await startH2Origin(cert, { allowHTTP1: false, handler: (_req, res) => res.end('ok') });
    proxy = await startHttpsProxy({ upstreamCa: [caFile] });
    let completed = 0;
    // A storage-like tap, so bodies are captured and exchanges completed as with history.
    proxy.proxy.hooks.onExchange.tap({ name: 'count', stage: Stage.STORAGE }, () => void completed++);
    const authority = `localhost:${origin.port}`;
    const socket = await tlsThroughProxy(proxy.port, authority, { ca: proxy.caPem, ALPNProtocols: ['h2'] });
    const session = h2Over(socket, authority);
    const run = async (streams: number) => {
      for (let batch = 0; batch < streams / 50; batch++) {
        const results = await Promise.all(Array.from({ length: 50 }, () => h2Request(session, { ':path': '/flat', 'x-pad': 'p'.repeat(200) })));
        for (const result of results) expect(result.body).toBe('ok');
      }
    };
    try {
      await run(2_000);
      const warm = heapAfterGc();
      await run(18_000);
      const after = heapAfterGc();
      expect(completed).toBe(20_000);
      // 18,000 more streams: even 500 bytes kept per stream would add 9 MB.
      expect(after - warm).toBeLessThan(6 * 1024 * 1024);
      // The CONNECT socket and the TLS connection on it: nothing more per stream.
      expect(proxy.proxy.openConnections).toBe(2);
    } finally {
      session.destroy();
    }
  }, 120_000);
});
