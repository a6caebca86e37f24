import { execFileSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { BIN, runCliProcess, startCli, tempProject, type CliProcess } from './helpers/cli-process.js';
import { CHROMIUM, loadPage } from './helpers/chromium.js';
import { loopbackOnlyConfig } from './helpers/loopback-config.js';

// Chromium opens a WebSocket as an HTTP/2 stream (RFC 8441) when it already has an h2 connection
// to the host that allows extended CONNECT: through `capture start`, the page comes over h2 and
// its wss:// to the same origin rides that connection; capture forwards it as an HTTP/1.1 Upgrade.

let project: ReturnType<typeof tempProject> | undefined;
let cli: CliProcess | undefined;
let origin: http2.Http2SecureServer | undefined;
let wss: WebSocketServer | undefined;

afterEach(async () => {
  if (cli && cli.child.exitCode === null && cli.child.signalCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
  if (origin) await new Promise<void>((resolve) => origin!.close(() => resolve()));
  cli = origin = wss = undefined;
  project?.cleanup();
  project = undefined;
});

const CONFIG = loopbackOnlyConfig([['https', '@capture/plugin-https'], ['websocket', '@capture/plugin-websocket']]);

/** The page: opens wss:// to its own origin, sends "hi", shows the echo; `/hold` keeps the load event until the socket closed at the origin. */
const PAGE = `<!doctype html><html><body><p id="out">waiting</p><script>
const socket = new WebSocket('wss://' + location.host + '/ws');
socket.onopen = () => socket.send('hi');
socket.onmessage = (event) => { document.getElementById('out').textContent = 'got ' + event.data; socket.close(1000); };
socket.onerror = () => { document.getElementById('out').textContent = 'socket error'; };
</script><iframe src="/hold"></iframe></body></html>`;

describe.skipIf(CHROMIUM === undefined)('Chromium WebSockets over HTTP/2 through capture start', () => {
  it('a wss:// on the page\'s h2 connection is an RFC 8441 stream, relayed and recorded', async () => {
    project = tempProject({ 'capture.config.mjs': CONFIG });
    for (const name of ['plugin-https', 'plugin-websocket']) {
      symlinkSync(path.resolve(BIN, '../../..', name), path.join(project.dir, 'node_modules', '@capture', name), 'dir');
    }
    const home = path.join(project.dir, 'home');
    const keyFile = path.join(project.dir, 'origin-key.pem');
    const certFile = path.join(project.dir, 'origin.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-days', '2'], { stdio: 'ignore' });
    let release: (() => void) | undefined;
    const socketClosed = new Promise<void>((resolve) => (release = resolve));
    origin = http2.createSecureServer({ key: readFileSync(keyFile), cert: readFileSync(certFile), allowHTTP1: true }, (req, res) => {
      if (req.url === '/hold') return void socketClosed.then(() => res.end('done'));
      res.setHeader('content-type', 'text/html');
      res.end(req.url === '/' ? PAGE : '');
    });
    // capture reaches the origin with an HTTP/1.1 Upgrade (allowHTTP1 serves it).
    wss = new WebSocketServer({ noServer: true });
    origin.on('upgrade', (req, socket, head) =>
      wss!.handleUpgrade(req, socket, head, (ws) => {
        ws.on('message', (data) => ws.send(`echo ${String(data)}`));
        ws.on('close', () => release!());
      }),
    );
    await new Promise<void>((resolve) => origin!.listen(0, '127.0.0.1', resolve));
    const originPort = (origin.address() as AddressInfo).port;
    const installed = await runCliProcess(['ca', 'install', '--target', 'nss'], { cwd: project.dir, env: { HOME: home } });
    expect(installed.code).toBe(0);
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--json'], { cwd: project.dir, env: { HOME: home, NODE_EXTRA_CA_CERTS: certFile } });
    const port = Number((await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 'stderr'))[1]);

    const page = await loadPage(home, path.join(project.dir, 'profile'), port, `https://localhost:${originPort}/`);
    expect(page.log).not.toMatch(/ERR_CERT/);
    expect(page.dom).toContain('got echo hi');
    const url = `https://localhost:${originPort}/ws`;
    const wsLines = new RegExp(`^\\{.*"url":"${url.replace(/[./]/g, '\\$&')}".*\\}$`, 'gm');
    await cli.waitFor(/"websocketMessages":[1-9]/, 'stdout');
    const lines = (cli.stdout().match(wsLines) ?? []).map((line) => JSON.parse(line) as Record<string, unknown>);
    // The open line, then the closing one; the client's leg was h2 (RFC 8441), the origin's 1.1.
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ status: 101, httpVersion: '2', open: true });
    expect(lines[1]).toMatchObject({ status: 101, httpVersion: '2' });
    expect(lines[1]!.websocketMessages).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
