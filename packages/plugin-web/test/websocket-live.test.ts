import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { Stage } from '@capture/core';
import history from '@capture/plugin-history';
import websocket from '@capture/plugin-websocket';
import type { EventMap, ExchangeDetail, ExchangeSummary, ListResponse } from '../src/index.js';
import { api, openEvents, startView, type EventStream, type ViewSetup } from './helpers/view.js';

/**
 * The view's live feed of open WebSocket connections (no browser: the API and the event stream
 * the page reads): the row while open, messages as they are kept (after redaction), the detail
 * of an open connection, and a feed a page can always follow.
 */

let setup: ViewSetup | undefined;
let origin: http.Server | undefined;
let wss: WebSocketServer | undefined;
let stream: EventStream | undefined;
const clients: WebSocket[] = [];
afterEach(async () => {
  stream?.close();
  for (const ws of clients.splice(0)) ws.terminate();
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
  await setup?.close();
  origin?.closeAllConnections();
  if (origin) await new Promise((resolve) => origin!.close(resolve));
  setup = origin = wss = stream = undefined;
});

/** An echo origin; resolves with its port. */
async function startEcho(): Promise<number> {
  origin = http.createServer();
  wss = new WebSocketServer({ server: origin, perMessageDeflate: false });
  wss.on('connection', (socket) => socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary })));
  origin.listen(0, '127.0.0.1');
  await once(origin, 'listening');
  return (origin.address() as AddressInfo).port;
}

/** A `ws` client through the proxy (absolute-form upgrade), open. */
async function connect(port: number, pathname: string): Promise<WebSocket> {
  const url = `ws://127.0.0.1:${port}${pathname}`;
  const ws = new WebSocket(url, {
    perMessageDeflate: false,
    createConnection: () => net.connect(setup!.proxy.port, '127.0.0.1'),
    finishRequest: (req) => {
      req.path = url.replace(/^ws:/, 'http:');
      req.end();
    },
  });
  clients.push(ws);
  await once(ws, 'open');
  return ws;
}

const echo = async (ws: WebSocket, data: string | Buffer) => {
  const reply = once(ws, 'message');
  ws.send(data);
  await reply;
};

const messageEvents = (id: string) => stream!.events.filter((event): event is { type: 'messages'; data: EventMap['messages'] } => event.type === 'messages' && (event.data as EventMap['messages']).id === id).map((event) => event.data);

describe('open WebSocket connections in the view', () => {
  it('lists the connection while open, streams its messages redacted, and replaces the row when it closes', async () => {
    const port = await startEcho();
    setup = await startView({ plugins: [websocket(), history({ flushInterval: 10 })] });
    // A redaction as a user would write it: the captured copy only.
    setup.proxy.proxy.plugin('websocket')!.api!.hooks!.onMessageRecord.tap({ name: 'redact', stage: Stage.TRANSFORM }, (message) =>
      message.text ? { ...message, text: message.text.replace(/s3cret[\w-]*/g, '[REDACTED]') } : message,
    );
    stream = await openEvents(setup);
    const ws = await connect(port, '/live');

    const opened = await stream.next((event) => event.type === 'exchanges' && (event.data as ExchangeSummary[]).some((row) => row.path === '/live'));
    const row = (opened.data as ExchangeSummary[]).find((summary) => summary.path === '/live')!;
    expect(row).toMatchObject({ status: 101, flags: { open: true } });
    // The list has it too, and its detail says it is open.
    expect((await api(setup, '/api/exchanges')).json<ListResponse>().exchanges.find((summary) => summary.id === row.id)?.flags.open).toBe(true);

    await echo(ws, '{"token":"s3cret-abc","n":1}');
    await echo(ws, Buffer.from([1, 2, 3]));
    await vi.waitFor(() => expect(messageEvents(row.id).flatMap((event) => event.messages)).toHaveLength(4), { timeout: 10_000 });
    const live = messageEvents(row.id).flatMap((event) => event.messages);
    expect(live.map((message) => [message.fromClient, message.json ?? message.hex])).toEqual([
      [true, JSON.stringify({ token: '[REDACTED]', n: 1 }, null, 2)],
      [false, JSON.stringify({ token: '[REDACTED]', n: 1 }, null, 2)],
      [true, '01 02 03'],
      [false, '01 02 03'],
    ]);
    expect(JSON.stringify(stream.events)).not.toContain('s3cret');
    const detail = (await api(setup, `/api/exchanges/${row.id}`)).json<ExchangeDetail>();
    expect(detail.websocket).toMatchObject({ open: true });
    expect(detail.websocket!.messages).toHaveLength(4);
    expect(detail.flags.open).toBe(true);

    ws.close(1000, 'done');
    const closed = await stream.next((event) => event.type === 'exchanges' && (event.data as ExchangeSummary[]).some((summary) => summary.id === row.id && !summary.flags.open));
    expect((closed.data as ExchangeSummary[]).find((summary) => summary.id === row.id)!.status).toBe(101);
    const after = (await api(setup, `/api/exchanges/${row.id}`)).json<ExchangeDetail>();
    expect(after.websocket).toMatchObject({ closeCode: 1000, closeReason: 'done', closedBy: 'client' });
    expect(after.websocket!.open).toBeUndefined();
    // Listed once, whichever id history gives it.
    await setup.proxy.proxy.plugin('history')!.api!.flush();
    const rows = (await api(setup, '/api/exchanges')).json<ListResponse>().exchanges.filter((summary) => summary.path === '/live');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.flags.open).toBeUndefined();
  });

  it('a burst of messages gives a feed a page can follow: contiguous batches, or a reload when a batch was too big', async () => {
    const port = await startEcho();
    setup = await startView({ plugins: [websocket(), history({ flushInterval: 10 })] });
    stream = await openEvents(setup);
    const ws = await connect(port, '/burst');
    const opened = await stream.next((event) => event.type === 'exchanges' && (event.data as ExchangeSummary[]).some((row) => row.path === '/burst'));
    const id = (opened.data as ExchangeSummary[]).find((summary) => summary.path === '/burst')!.id;
    const COUNT = 1500;
    let echoed = 0;
    const allEchoed = new Promise<void>((resolve) => ws.on('message', () => ++echoed === COUNT && resolve()));
    for (let i = 0; i < COUNT; i++) ws.send(`message ${i}`);
    await allEchoed;
    await vi.waitFor(() => expect(messageEvents(id).at(-1)?.total).toBe(COUNT * 2), { timeout: 15_000 });
    // What a page does: follow each batch, reloading when told or when one does not join up.
    let shown = 0;
    let reloads = 0;
    for (const batch of messageEvents(id)) {
      if (batch.reload || batch.from > shown) {
        reloads++;
        shown = Math.min(batch.total, 2000);
        continue;
      }
      expect(batch.from).toBeLessThanOrEqual(shown);
      shown = Math.max(shown, batch.from + batch.messages.length);
      // No batch is larger than the bound.
      expect(batch.messages.length).toBeLessThanOrEqual(500);
    }
    // The pane shows at most 2,000 messages of a connection (the rest: HAR and history).
    expect(shown).toBe(2000);
    const detail = (await api(setup, `/api/exchanges/${id}`)).json<ExchangeDetail>();
    expect(detail.websocket!.messages).toHaveLength(2000);
    expect(detail.websocket!.omitted).toBe(COUNT * 2 - 2000);
    console.log(`${COUNT * 2} messages in ${messageEvents(id).length} batches, ${reloads} reload(s)`);
  });
});
