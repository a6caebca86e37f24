import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestThroughProxy, startOrigin, startProxy, type TestOrigin } from '@capture/core/testing';
import history from '../../src/index.js';

/** What the origin received, in order: for checking replays (newman, curl) against the captures. */
export interface Received {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An origin with a few kinds of answers (JSON, a form reply, binary, 404) that records what it receives. */
export async function startRecordingOrigin(): Promise<TestOrigin & { received: Received[] }> {
  const received: Received[] = [];
  const origin = await startOrigin((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: body.toString('latin1') });
      if (req.url === '/img.png') {
        res.writeHead(200, { 'Content-Type': 'image/png' });
        return res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0xff]));
      }
      if (req.method === 'DELETE') {
        res.writeHead(404, { 'Content-Type': 'application/json' });
        return res.end('{"error":"no such user"}');
      }
      res.writeHead(200, [['Content-Type', 'application/json'], ['Set-Cookie', 'session=abc; Path=/; HttpOnly']]);
      res.end(JSON.stringify({ method: req.method, path: req.url, body: body.toString('utf8') }));
    });
  });
  return Object.assign(origin, { received });
}

/**
 * Fills a data folder's history through a real proxy: ids 1..5 are, in order,
 * GET /api/users?page=2 (127.0.0.1), POST /api/login (form, localhost), GET /img.png (binary),
 * DELETE /api/users/7 (404, localhost), POST /api/items (JSON).
 */
export async function populateHistory(dataDir: string, origin: TestOrigin): Promise<void> {
  const proxy = await startProxy({ dataDir, plugins: [history()] });
  const local = origin.url.replace('127.0.0.1', 'localhost');
  try {
    await requestThroughProxy(proxy.port, `${origin.url}/api/users?page=2`, { headers: { Accept: 'application/json', 'X-Trace': 'first' } });
    await requestThroughProxy(proxy.port, `${local}/api/login`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: 'a=1; b=2' }, body: 'user=ann&pass=s%26cret' });
    await requestThroughProxy(proxy.port, `${origin.url}/img.png`);
    await requestThroughProxy(proxy.port, `${local}/api/users/7`, { method: 'DELETE' });
    await requestThroughProxy(proxy.port, `${origin.url}/api/items`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name":"it\'s a \\"pen\\"","tags":["a\\nb"]}' });
  } finally {
    await proxy.close();
  }
}
