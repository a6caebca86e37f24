import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { formatBytes, hostOf } from '@capture/core';
import { requestThroughProxy, startOrigin, type TestOrigin } from '@capture/core/testing';
import { startCli, tempProject, type CliProcess } from './helpers/cli-process.js';

// One exchange record: the live log of `capture start` and the web view show the same size and
// host for the same exchange, both read through core's formatBytes and hostOf.

let project: ReturnType<typeof tempProject> | undefined;
let origin: TestOrigin | undefined;
let cli: CliProcess | undefined;
afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
  await origin?.close();
  project?.cleanup();
  cli = undefined;
  origin = undefined;
  project = undefined;
});

/** GETs a JSON document from the web view. */
function getJson<T>(url: string, token: string): Promise<T> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers: { Authorization: `Bearer ${token}` } }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(body) as T) : reject(new Error(`${url}: ${res.statusCode} ${body}`))));
      })
      .on('error', reject);
  });
}

/** A row of the web view's list (`GET /api/exchanges`), the fields compared here. */
interface ViewRow {
  url: string;
  host: string;
  size: number | null;
}

describe('the live log and the web view', () => {
  it('show the same size and host for the same exchange', async () => {
    // 12 345 bytes: "12.3 kB", where the two used to disagree ("12 kB" in the view).
    origin = await startOrigin((_req, res) => res.end('x'.repeat(12_345)));
    project = tempProject();
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1'], { cwd: project.dir });
    const [, port] = await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    const [, viewUrl, token] = await cli.waitFor(/^web view: (http:\/\/127\.0\.0\.1:\d+)\/\?token=(\S+)$/m);
    const url = `${origin.url}/record`;
    await requestThroughProxy(Number(port), url);

    const escaped = url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const [, logUrl, logSize] = await cli.waitFor(new RegExp(`GET 200 (${escaped}) (\\d+(?:\\.\\d)? [kMG]?B) \\d`));
    expect(logSize).toBe(formatBytes(12_345));

    const { exchanges } = await getJson<{ exchanges: ViewRow[] }>(`${viewUrl}/api/exchanges?q=`, token!);
    const row = exchanges.find((candidate) => candidate.url === logUrl);
    expect(row).toBeDefined();
    expect(row!.size).toBe(12_345);
    // The page prints sizes with core's formatBytes (plugin-web's app/format.ts), so what it
    // shows is what the live log printed.
    expect(formatBytes(row!.size!)).toBe(logSize);
    expect(row!.host).toBe(hostOf(logUrl!));
    expect(row!.host).toBe(`127.0.0.1:${origin.port}`);
  });
});
