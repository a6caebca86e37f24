import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { startCli, tempProject, type CliProcess } from './helpers/cli-process.js';

let project: ReturnType<typeof tempProject> | undefined;
let cli: CliProcess | undefined;
let server: http.Server | undefined;
let wss: WebSocketServer | undefined;

afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
  if (server) await new Promise<void>((resolve) => server!.close(() => resolve()));
  cli = server = wss = undefined;
  project?.cleanup();
  project = undefined;
});

describe('WebSockets in the live log', () => {
  it('prints a line when the connection opens and its summary line when it closes', async () => {
    server = http.createServer((_req, res) => res.end());
    wss = new WebSocketServer({ server });
    wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`echo ${String(data)}`)));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const originPort = (server.address() as AddressInfo).port;
    project = tempProject();
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--no-https'], { cwd: project.dir });
    const port = Number((await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    // As an HTTP_PROXY client does: connect to the proxy, ask for the absolute URL.
    const url = `ws://127.0.0.1:${originPort}/chat`;
    const client = new WebSocket(url, {
      createConnection: () => net.connect(port, '127.0.0.1'),
      finishRequest: (request) => {
        request.path = url.replace(/^ws:/, 'http:');
        request.end();
      },
    });
    await once(client, 'open');
    // The open line is printed while the connection is still open.
    await cli.waitFor(new RegExp(`GET 101 http://127\\.0\\.0\\.1:${originPort}/chat ws open`));
    expect(cli.stdout()).not.toMatch(/ws \d+ messages?/);
    client.send('hi');
    const [reply] = (await once(client, 'message')) as [Buffer];
    expect(String(reply)).toBe('echo hi');
    client.close(1000);
    await once(client, 'close');
    await cli.waitFor(/ws \d+ messages, closed 1000 by client/);
    const lines = cli.stdout().split('\n').filter((line) => line.includes('/chat'));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/ws open$/);
    expect(lines[1]).toContain('GET 101');
  });
});

