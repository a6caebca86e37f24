import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import history, { type HistoryApi } from '../src/index.js';
import { runList } from '../src/commands/list.js';
import { runInProcess } from './helpers/in-process.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
  cleanupAll();
});

/** An origin that accepts every WebSocket upgrade (a real 101 with the accept key) and keeps the connection open. */
async function startUpgradeOrigin(): Promise<TestOrigin> {
  const started = await startOrigin((_req, res) => res.end());
  started.server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket) => {
    sockets.push(socket);
    // As a WebSocket server does: its side closes when the other side has.
    socket.on('end', () => socket.end());
    socket.on('error', () => socket.destroy());
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  });
  return started;
}

/** An upgrade through the proxy (absolute form); resolves with the client's socket once the 101 arrived. */
function upgrade(port: number, url: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port,
      path: url,
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': randomBytes(16).toString('base64') },
    });
    req.on('upgrade', (_response, socket: net.Socket) => {
      sockets.push(socket);
      resolve(socket);
    });
    req.on('response', (response) => reject(new Error(`no upgrade: ${response.statusCode}`)));
    req.on('error', reject);
    req.end();
  });
}

describe('a WebSocket connection in history', () => {
  it('is listed and shown as open while it is, then the same row holds the completed record', async () => {
    const dataDir = tempDir();
    origin = await startUpgradeOrigin();
    const plugin = history({ flushInterval: 10 });
    proxy = await startProxy({ dataDir, plugins: [plugin] });
    const api = plugin.api as HistoryApi;
    const socket = await upgrade(proxy.port, `${origin.url}/live`);
    await vi.waitFor(() => expect(api.list()).toMatchObject([{ status: 101, open: true }]), { timeout: 10_000 });
    const [open] = api.list();
    expect(new URL(open!.url).pathname).toBe('/live');
    expect(api.get(open!.id)!.websocket).toMatchObject({ open: true, messages: [] });
    const listed = await runInProcess(runList, dataDir, { json: true });
    expect(JSON.parse(listed.stdout)).toMatchObject([{ id: open!.id, status: 101, open: true }]);

    socket.destroy();
    await vi.waitFor(() => expect(api.list()).toMatchObject([{ id: open!.id, status: 101, open: false }]), { timeout: 10_000 });
    expect(api.list()).toHaveLength(1);
    // The completed record (here without the websocket plugin: no messages recorded), its time the connection's.
    const completed = api.get(open!.id)!;
    expect((completed.websocket as { open?: boolean } | undefined)?.open).toBeUndefined();
    expect(completed.timings.total).toBeGreaterThan(0);
  });
});
