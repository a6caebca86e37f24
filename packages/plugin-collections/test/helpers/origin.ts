import type { IncomingMessage, ServerResponse } from 'node:http';
import type https from 'node:https';
import { startOrigin, type TestOrigin } from '@capture/core/testing';

/** One request an origin received: for comparing what newman replays with what was captured. */
export interface Received {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A test origin that records what it receives. */
export interface RecordingOrigin extends TestOrigin {
  received: Received[];
  /** What it received from `from` on (e.g. what newman sent after the capture). */
  since(from: number): Received[];
}

/**
 * An origin answering by path: `/img.png` a PNG, `/big` 64 KiB of JSON, `/text` plain text, `/xml` XML, anything else
 * JSON describing the request. Every answer is 200 or 201, so a replay that works gets only 2xx.
 */
export async function startRecordingOrigin(server?: https.Server): Promise<RecordingOrigin> {
  const received: Received[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '/').split('?')[0];
      if (path === '/img.png') {
        res.writeHead(200, { 'Content-Type': 'image/png' });
        return res.end(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0xff]));
      }
      if (path === '/big') {
        // Large responses make the collection file large, so rewriting it takes long enough to be interrupted.
        res.writeHead(200, { 'Content-Type': 'application/json' });
        return res.end(JSON.stringify({ url: req.url, filler: 'x'.repeat(64 * 1024) }));
      }
      if (path === '/text') {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        return res.end(`you sent ${body.length} bytes`);
      }
      if (path === '/xml') {
        res.writeHead(200, { 'Content-Type': 'application/xml' });
        return res.end('<ok/>');
      }
      res.writeHead(req.method === 'POST' ? 201 : 200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, size: body.length }));
    });
  };
  const origin = await startOrigin(handler, server);
  return Object.assign(origin, { received, since: (from: number) => received.slice(from) });
}
