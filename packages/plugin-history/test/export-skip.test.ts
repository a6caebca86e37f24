import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import newman from 'newman';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Har } from 'har-format';
import { requestThroughProxy, startProxy } from '@capture/core/testing';
import type { PostmanCollection } from '@capture/postman-format';
import history from '../src/index.js';
import { openHistoryDatabase } from '../src/database.js';
import type { HistoryRow } from '../src/record.js';
import { HistoryStore } from '../src/store.js';
import { runCapture } from './helpers/cli.js';
import { startRecordingOrigin } from './helpers/populate.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

let origin: Awaited<ReturnType<typeof startRecordingOrigin>>;
beforeAll(async () => {
  origin = await startRecordingOrigin();
});
afterAll(async () => {
  await origin.close();
  cleanupAll();
});

/** A stored row as a malformed request leaves it (an empty URL, a header a shell must not see). */
function row(url: string, headers: Array<[string, string]> = []): HistoryRow {
  return {
    started_at: Date.now(), method: 'GET', url, host: '', http_version: '1.1', request_headers: JSON.stringify(headers), request_trailers: null, response_trailers: null, websocket: null, grpc: null, request_body: null, request_body_size: 0,
    request_body_truncated: 0, request_body_skipped: null, request_body_encoding: null, request_body_decoded: 0, client_address: '127.0.0.1', client_port: 1,
    source: '127.0.0.1', tls: 0, mocked: 0, error_code: null, error_message: null, status: 400, status_message: 'Bad Request', response_http_version: '1.1',
    response_headers: '[]', response_body: null, response_body_size: 0, response_body_truncated: 0, response_body_skipped: null, response_body_encoding: null,
    response_body_decoded: 0, duration: 1, first_byte: null,
  };
}

describe('exports skip what they cannot represent', () => {
  let home: string;
  beforeAll(async () => {
    home = tempDir('capture-history-skip-');
    const proxy = await startProxy({ dataDir: home, plugins: [history()] });
    await requestThroughProxy(proxy.port, `${origin.url}/good`);
    await proxy.close();
    const store = new HistoryStore(openHistoryDatabase(path.join(home, 'history.db')).db);
    store.insertMany([row(''), row(`${origin.url}/evil`, [['X-Evil', 'a\nb']])]);
    store.close();
  });

  it('postman: the collection holds the good request, exits 0 and says how many it skipped', async () => {
    const result = await runCapture(['history', 'export', '--format', 'postman'], { home });
    expect(result.code, result.stderr).toBe(0);
    const collection = JSON.parse(result.stdout) as PostmanCollection;
    expect(collection.item.map((item) => item.name)).toEqual(['GET /good', 'GET /evil']);
    expect(result.stderr).toContain('skipped 1 exchange that cannot be exported as a Postman collection safely');
  });

  it('har: entries with absolute URLs only, and the count on stderr', async () => {
    const result = await runCapture(['history', 'export', '--format', 'har'], { home });
    expect(result.code, result.stderr).toBe(0);
    expect((JSON.parse(result.stdout) as Har).log.entries.map((entry) => new URL(entry.request.url).pathname)).toEqual(['/good', '/evil']);
    expect(result.stderr).toContain('skipped 1 exchange that cannot be exported as HAR safely');
  });

  it('curl: toCurlScript comments out both bad ones and says so on stderr', async () => {
    const result = await runCapture(['history', 'export', '--format', 'curl'], { home });
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.filter((line) => line.startsWith('curl '))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith('# #'))).toHaveLength(2);
    expect(result.stderr).toContain('skipped 2 exchanges that cannot be exported as curl safely');
  });
});

describe('Postman export of a multipart file field', () => {
  it('never makes newman upload the local file a captured file name names', async () => {
    // A private key at the path the captured client claimed as its file name.
    const keys = path.join(tempDir('capture-history-ssh-'), '.ssh');
    mkdirSync(keys);
    const keyFile = path.join(keys, 'id_rsa');
    const secret = 'PRIVATE-KEY-CONTENT-THAT-MUST-STAY-HOME';
    writeFileSync(keyFile, `-----BEGIN OPENSSH PRIVATE KEY-----\n${secret}\n`);
    const home = tempDir('capture-history-multipart-');
    const proxy = await startProxy({ dataDir: home, plugins: [history()] });
    const boundary = 'capture-boundary';
    const body = [`--${boundary}`, `Content-Disposition: form-data; name="key"; filename="${keyFile}"`, 'Content-Type: application/octet-stream', '', 'what the client sent', `--${boundary}`, 'Content-Disposition: form-data; name="note"', '', 'hello', `--${boundary}--`, ''].join('\r\n');
    await requestThroughProxy(proxy.port, `${origin.url}/upload`, { method: 'POST', headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}` }, body });
    await proxy.close();

    const result = await runCapture(['history', 'export', '--format', 'postman'], { home });
    expect(result.code, result.stderr).toBe(0);
    const collection = JSON.parse(result.stdout) as PostmanCollection;
    expect(JSON.stringify(collection)).not.toContain(`"src":"${keyFile}"`);
    const from = origin.received.length;
    await new Promise<newman.NewmanRunSummary>((resolve, reject) =>
      newman.run({ collection: collection as unknown as newman.NewmanRunOptions['collection'], reporters: [] }, (error, summary) => (error ? reject(error) : resolve(summary))),
    );
    const replayed = origin.received.slice(from);
    expect(replayed.map((request) => `${request.method} ${request.url}`)).toEqual(['POST /upload']);
    expect(replayed[0]!.body).toContain('hello');
    expect(replayed[0]!.body).not.toContain(secret);
  });
});
