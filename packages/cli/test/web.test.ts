import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, tempProject, type CliProcess } from './helpers/cli-process.js';

// `capture start` runs the web view by default and prints one line with its URL and token.

let project: ReturnType<typeof tempProject> | undefined;
const running: CliProcess[] = [];
afterEach(async () => {
  for (const cli of running.splice(0)) {
    if (cli.child.exitCode === null) {
      cli.child.kill('SIGTERM');
      await cli.exited;
    }
  }
  project?.cleanup();
  project = undefined;
});

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false, headers }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

const WEB_LINE = /^web view: (http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]{32}))$/m;

describe('capture start and the web view', () => {
  it('prints one line with the view URL and token (--web-port 0 gives the real port); the URL works, without the token it is refused', async () => {
    project = tempProject();
    const cli = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--web-port', '0'], { cwd: project.dir });
    running.push(cli);
    const [, url, port, token] = await cli.waitFor(WEB_LINE);
    await cli.waitFor(/^plugins: /m);
    expect(cli.stdout().match(new RegExp(WEB_LINE.source, 'gm'))).toHaveLength(1);
    expect(Number(port)).toBeGreaterThan(0);
    expect(cli.stdout()).toMatch(/^plugins: https, filters, grpc, websocket, history, web, openapi$/m);
    // The token is for this terminal only: the device-facing links never carry it.
    expect(cli.stdout().split('\n').filter((line) => line.includes(token!))).toEqual([`web view: ${url}`]);
    const page = await get(url!);
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>capture');
    // The page holds no data; the API answers only with the token, sent as a bearer header.
    expect((await get(`http://127.0.0.1:${port}/api/exchanges`)).status).toBe(401);
    expect((await get(`http://127.0.0.1:${port}/api/exchanges`, { Authorization: `Bearer ${token}` })).status).toBe(200);
  });

  it('--no-web serves no view and prints no URL; a bad --web-port is a usage error', async () => {
    project = tempProject();
    const cli = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--no-web'], { cwd: project.dir });
    running.push(cli);
    await cli.waitFor(/^plugins: /m);
    expect(cli.stdout()).not.toContain('web view');
    expect(cli.stdout()).toMatch(/^plugins: https, filters, grpc, websocket, history, openapi$/m);
    const bad = startCli(['start', '--web-port', 'lots'], { cwd: project.dir });
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain('--web-port expects a number from 0 to 65535, got "lots"');
  });

  it('two captures at once both start: the second view takes a free port when the default one is taken', async () => {
    project = tempProject();
    const first = startCli(['start', '--port', '0', '--host', '127.0.0.1'], { cwd: project.dir });
    running.push(first);
    const [, , firstPort] = await first.waitFor(WEB_LINE);
    const second = startCli(['start', '--port', '0', '--host', '127.0.0.1'], { cwd: project.dir });
    running.push(second);
    const [, secondUrl, secondPort] = await second.waitFor(WEB_LINE);
    expect(secondPort).not.toBe(firstPort);
    expect((await get(secondUrl!)).status).toBe(200);
  });

  it('a taken --web-port stops the start with one line naming it', async () => {
    project = tempProject();
    const first = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--web-port', '0'], { cwd: project.dir });
    running.push(first);
    const [, , port] = await first.waitFor(WEB_LINE);
    const second = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--web-port', port!], { cwd: project.dir });
    expect(await second.exited).toBe(1);
    expect(second.stderr()).toContain(`web: cannot listen on 127.0.0.1:${port}: it is already in use (choose another with --web-port or webPort)`);
  });
});
