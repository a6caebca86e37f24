import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as grpcJs from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import https from '@capture/plugin-https';
import type { Exchange } from '@capture/core';
import { collectExchanges, startProxy, type ExchangeCollector, type TestProxy } from '@capture/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import grpc, { type GrpcRecord } from '../src/index.js';

const protoFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures/protos/echo.proto');

/** echo.v1.Note as proto-loader hands it over (bytes as Buffer). */
interface Note {
  text?: string;
  seq?: number;
  blob?: Buffer;
}

type EchoClient = grpcJs.Client & {
  Unary(note: Note, metadata: grpcJs.Metadata, options: grpcJs.CallOptions, callback: (error: grpcJs.ServiceError | null, note?: Note) => void): grpcJs.ClientUnaryCall;
  ServerStream(note: Note, metadata?: grpcJs.Metadata): grpcJs.ClientReadableStream<Note>;
  ClientStream(callback: (error: grpcJs.ServiceError | null, note?: Note) => void): grpcJs.ClientWritableStream<Note>;
  Bidi(): grpcJs.ClientDuplexStream<Note, Note>;
};

const definition = protoLoader.loadSync(protoFile, { keepCase: true, longs: String, defaults: false });
const echoPackage = grpcJs.loadPackageDefinition(definition) as unknown as {
  echo: { v1: { Echo: grpcJs.ServiceClientConstructor } };
};
const EchoService = echoPackage.echo.v1.Echo;

const FLOOD_COUNT = 2_000;
const FLOOD_SIZE = 64 * 1024;

/** What the flood server has written so far, and whether its last write is waiting for 'drain'. */
const flood = { sent: 0, blocked: false, blockedAt: 0 };

let tempDir: string;
let server: grpcJs.Server;
let serverPort: number;
let proxy: TestProxy;
let capturePem: string;
let exchanges: ExchangeCollector;

/** The gRPC record of an exchange: `exchange.grpc` when core has it, else `exchange.meta.grpc`. */
function grpcOf(exchange: Exchange): GrpcRecord {
  const record = (exchange as Exchange & { grpc?: GrpcRecord }).grpc ?? (exchange.meta.grpc as GrpcRecord | undefined);
  if (!record) throw new Error(`no gRPC record on ${exchange.request.url}`);
  return record;
}

/** The `text` of an exchange's first request message, decoded by schema. */
function firstText(exchange: Exchange): string | undefined {
  return (grpcOf(exchange).requestMessages[0]?.json as Note | undefined)?.text;
}

/** The first captured exchange whose URL ends with `suffix`, waiting for it if need be. */
async function captured(suffix: string): Promise<Exchange> {
  for (let round = 0; round < 10_000; round++) {
    const found = exchanges.all.find((entry) => entry.request.url.endsWith(suffix));
    if (found) return found;
    await exchanges.waitFor(exchanges.all.length + 1);
  }
  throw new Error(`no exchange for ${suffix}`);
}

/** A client that reaches the origin through capture's CONNECT (grpc-js's own proxy channel option). */
function client(): EchoClient {
  return new EchoService(`127.0.0.1:${proxy.port}`, grpcJs.credentials.createSsl(Buffer.from(capturePem)), {
    'grpc.http_connect_target': `dns:///localhost:${serverPort}`,
    // With the proxy given as the channel target, grpc-js would send it as :authority (as grpc_proxy
    // does not): name the origin, as a client configured through the environment does.
    'grpc.default_authority': `localhost:${serverPort}`,
    'grpc.max_receive_message_length': 16 * 1024 * 1024,
    'grpc.max_send_message_length': 16 * 1024 * 1024,
  }) as unknown as EchoClient;
}

const unary = (echo: EchoClient, note: Note, metadata = new grpcJs.Metadata(), options: grpcJs.CallOptions = {}) =>
  new Promise<{ error: grpcJs.ServiceError | null; note?: Note; headers?: grpcJs.Metadata; trailers?: grpcJs.Metadata }>((resolve) => {
    let headers: grpcJs.Metadata | undefined;
    let trailers: grpcJs.Metadata | undefined;
    let result: { error: grpcJs.ServiceError | null; note?: Note } | undefined;
    let statusSeen = false;
    const done = () => {
      if (result && statusSeen) resolve({ ...result, headers, trailers });
    };
    const call = echo.Unary(note, metadata, options, (error, answer) => {
      result = { error, note: answer };
      done();
    });
    call.on('metadata', (received: grpcJs.Metadata) => (headers = received));
    call.on('status', (status: grpcJs.StatusObject) => {
      trailers = status.metadata;
      statusSeen = true;
      done();
    });
  });

function collect<T>(stream: NodeJS.ReadableStream): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const items: T[] = [];
    stream.on('data', (item: T) => items.push(item));
    stream.on('error', reject);
    stream.on('end', () => resolve(items));
  });
}

beforeAll(async () => {
  tempDir = mkdtempSync(path.join(os.tmpdir(), 'capture-grpc-js-'));
  const keyFile = path.join(tempDir, 'origin.key');
  const certFile = path.join(tempDir, 'origin.pem');
  // The origin's own self-signed certificate: capture must be told to trust it upstream.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });

  server = new grpcJs.Server({ 'grpc.max_receive_message_length': 16 * 1024 * 1024, 'grpc.max_send_message_length': 16 * 1024 * 1024 });
  server.addService(EchoService.service, {
    Unary(call: grpcJs.ServerUnaryCall<Note, Note>, callback: grpcJs.sendUnaryData<Note>) {
      const { text = '' } = call.request;
      if (text === 'missing') return callback({ code: grpcJs.status.NOT_FOUND, details: 'no note called missing' });
      if (text === 'slow') return; // Never answers: the client's deadline ends the call.
      const headers = new grpcJs.Metadata();
      headers.set('x-echo-header', String(call.metadata.get('x-custom')[0] ?? ''));
      call.sendMetadata(headers);
      const trailers = new grpcJs.Metadata();
      trailers.set('x-trailer', 'bye');
      trailers.set('x-bin-bin', Buffer.from([0, 1, 2, 255]));
      callback(null, { text: `echo ${text}`, seq: (call.request.seq ?? 0) + 1, blob: call.request.blob }, trailers);
    },
    ServerStream(call: grpcJs.ServerWritableStream<Note, Note>) {
      const { text = '', seq = 0 } = call.request;
      if (text !== 'flood') {
        for (let index = 0; index < seq; index++) call.write({ text: `${text} ${index}`, seq: index });
        return call.end();
      }
      flood.sent = 0;
      const blob = Buffer.alloc(FLOOD_SIZE, 0x61);
      const pump = () => {
        while (flood.sent < FLOOD_COUNT) {
          flood.sent++;
          if (!call.write({ seq: flood.sent, blob })) {
            flood.blocked = true;
            flood.blockedAt = flood.sent;
            call.once('drain', () => {
              flood.blocked = false;
              pump();
            });
            return;
          }
        }
        call.end();
      };
      pump();
    },
    ClientStream(call: grpcJs.ServerReadableStream<Note, Note>, callback: grpcJs.sendUnaryData<Note>) {
      const texts: string[] = [];
      call.on('data', (note: Note) => texts.push(note.text ?? ''));
      call.on('end', () => callback(null, { text: texts.join('+'), seq: texts.length }));
    },
    Bidi(call: grpcJs.ServerDuplexStream<Note, Note>) {
      call.on('data', (note: Note) => call.write({ text: `re ${note.text ?? ''}`, seq: note.seq ?? 0 }));
      call.on('end', () => call.end());
    },
  });
  const credentials = grpcJs.ServerCredentials.createSsl(null, [{ private_key: readFileSync(keyFile), cert_chain: readFileSync(certFile) }]);
  serverPort = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', credentials, (error, port) => (error ? reject(error) : resolve(port))));

  const httpsPlugin = https({ upstreamCa: [certFile] });
  proxy = await startProxy({ dataDir: tempDir, plugins: [httpsPlugin, grpc({ protoFiles: [protoFile] })] });
  capturePem = httpsPlugin.api!.ca!.certPem;
  exchanges = collectExchanges(proxy.proxy);
});

afterAll(async () => {
  await proxy?.close();
  await new Promise<void>((resolve) => (server ? server.tryShutdown(() => resolve()) : resolve()));
  server?.forceShutdown();
  if (tempDir) rmSync(tempDir, { recursive: true, force: true });
});

describe('@grpc/grpc-js client and server through capture', () => {
  it('unary: message, request and response metadata, trailers intact; captured as h2 with status and messages by schema', async () => {
    const echo = client();
    try {
      const metadata = new grpcJs.Metadata();
      metadata.set('x-custom', 'from-client');
      const result = await unary(echo, { text: 'hello', seq: 41 }, metadata);
      expect(result.error).toBeNull();
      expect(result.note).toMatchObject({ text: 'echo hello', seq: 42 });
      expect(result.headers?.get('x-echo-header')).toEqual(['from-client']);
      expect(result.trailers?.get('x-trailer')).toEqual(['bye']);
      expect(result.trailers?.get('x-bin-bin')).toEqual([Buffer.from([0, 1, 2, 255])]);

      const exchange = await captured('/echo.v1.Echo/Unary');
      expect(exchange.request.httpVersion).toBe('2');
      expect(exchange.response?.httpVersion).toBe('2');
      expect(exchange.request.headers).toContainEqual(['x-custom', 'from-client']);
      expect(exchange.response?.trailers).toContainEqual(['x-trailer', 'bye']);
      expect(exchange.response?.trailers).toContainEqual(['grpc-status', '0']);
      const record = grpcOf(exchange);
      expect(record).toMatchObject({ service: 'echo.v1.Echo', method: 'Unary', status: 0, statusName: 'OK' });
      expect(record.requestMessages.map((m) => m.json)).toEqual([{ text: 'hello', seq: 41 }]);
      expect(record.responseMessages.map((m) => m.json)).toEqual([{ text: 'echo hello', seq: 42 }]);
      expect(record.requestMessages[0]!.raw?.fields).toEqual([
        { number: 1, wireType: 2, kind: 'string', value: 'hello' },
        { number: 2, wireType: 0, kind: 'varint', value: '41' },
      ]);
    } finally {
      echo.close();
    }
  });

  it('server-streaming, client-streaming and bidirectional calls pass through and are captured message by message', async () => {
    const echo = client();
    try {
      const streamed = await collect<Note>(echo.ServerStream({ text: 'tick', seq: 5 }));
      expect(streamed.map((note) => note.text)).toEqual(['tick 0', 'tick 1', 'tick 2', 'tick 3', 'tick 4']);

      const summed = await new Promise<Note | undefined>((resolve, reject) => {
        const call = echo.ClientStream((error, note) => (error ? reject(error) : resolve(note)));
        for (const text of ['a', 'b', 'c']) call.write({ text });
        call.end();
      });
      expect(summed).toMatchObject({ text: 'a+b+c', seq: 3 });

      const bidi = echo.Bidi();
      const replies = collect<Note>(bidi);
      // Each reply arrives before the next message is sent: the stream is live both ways through capture.
      for (let seq = 1; seq <= 3; seq++) {
        const reply = new Promise<Note>((resolve) => bidi.once('data', resolve));
        bidi.write({ text: `m${seq}`, seq });
        expect(await reply).toMatchObject({ text: `re m${seq}`, seq });
      }
      bidi.end();
      expect(await replies).toHaveLength(3);

      const server = grpcOf(await captured('/echo.v1.Echo/ServerStream'));
      expect(server.responseMessages.map((m) => m.json)).toEqual(streamed.map((note) => ({ text: note.text, ...(note.seq ? { seq: note.seq } : {}) })));
      expect(server.status).toBe(0);
      const clientSide = grpcOf(await captured('/echo.v1.Echo/ClientStream'));
      expect(clientSide.requestMessages.map((m) => m.json)).toEqual([{ text: 'a' }, { text: 'b' }, { text: 'c' }]);
      expect(clientSide.responseMessages.map((m) => m.json)).toEqual([{ text: 'a+b+c', seq: 3 }]);
      const bidiExchange = await captured('/echo.v1.Echo/Bidi');
      expect(bidiExchange.request.httpVersion).toBe('2');
      expect(bidiExchange.response?.httpVersion).toBe('2');
      const both = grpcOf(bidiExchange);
      expect(both.requestMessages.map((m) => m.json)).toEqual([1, 2, 3].map((seq) => ({ text: `m${seq}`, seq })));
      expect(both.responseMessages.map((m) => m.json)).toEqual([1, 2, 3].map((seq) => ({ text: `re m${seq}`, seq })));
      expect(both.status).toBe(0);
    } finally {
      echo.close();
    }
  });

  it('a 4 MiB message goes both ways intact and is captured whole (recorded undecoded: over maxDecodeSize)', async () => {
    const echo = client();
    try {
      const blob = Buffer.alloc(4 * 1024 * 1024);
      for (let index = 0; index < blob.length; index++) blob[index] = (index * 31) & 0xff;
      const result = await unary(echo, { text: 'big', blob });
      expect(result.error).toBeNull();
      expect(result.note?.blob?.equals(blob)).toBe(true);
      const isBig = (entry: Exchange) => entry.request.url.endsWith('/Unary') && (grpcOf(entry).requestMessages[0]?.size ?? 0) > blob.length;
      for (let round = 0; round < 100 && !exchanges.all.some(isBig); round++) await exchanges.waitFor(exchanges.all.length + 1);
      const exchange = exchanges.all.find(isBig)!;
      const record = grpcOf(exchange);
      const size = record.requestMessages[0]!.size;
      expect(record.requestMessages[0]).toEqual({ compressed: false, size, truncated: false, undecoded: expect.stringMatching(/^not decoded: \d+ bytes is over maxDecodeSize \(131072 bytes\)/) });
      // Whole in the captured bodies: the 5-byte prefix and the message.
      expect(exchange.request.body?.bytes.length).toBe(size + 5);
      expect(Buffer.from(exchange.request.body!.bytes).includes(blob)).toBe(true);
      expect(record.responseMessages[0]!.size).toBeGreaterThan(blob.length);
      expect(record.responseMessages[0]!.undecoded).toMatch(/over maxDecodeSize/);
      expect(record.status).toBe(0);
    } finally {
      echo.close();
    }
  });

  // A trailers-only answer (one HEADERS frame with END_STREAM) must reach the h2 client as one too:
  // grpc-js reads the status only from such a frame.
  it('a status-5 error reaches the client with its message and is captured as grpc 5 NOT_FOUND', async () => {
    const echo = client();
    try {
      const result = await unary(echo, { text: 'missing' });
      let exchange: Exchange | undefined;
      for (let round = 0; round < 100 && !exchange; round++) {
        exchange = exchanges.all.find((entry) => entry.request.url.endsWith('/Unary') && firstText(entry) === 'missing');
        if (!exchange) await exchanges.waitFor(exchanges.all.length + 1);
      }
      expect(grpcOf(exchange!)).toMatchObject({ status: 5, statusName: 'NOT_FOUND', message: 'no note called missing' });
      expect(exchange!.response?.httpVersion).toBe('2');
      expect(result.error?.code).toBe(grpcJs.status.NOT_FOUND);
      expect(result.error?.details).toBe('no note called missing');
    } finally {
      echo.close();
    }
  });

  it('a deadline that expires is DEADLINE_EXCEEDED at the client; capture records the call with its grpc-timeout', async () => {
    const echo = client();
    try {
      const before = exchanges.all.length;
      const result = await unary(echo, { text: 'slow' }, new grpcJs.Metadata(), { deadline: Date.now() + 500 });
      expect(result.error?.code).toBe(grpcJs.status.DEADLINE_EXCEEDED);
      let exchange: Exchange | undefined;
      for (let round = 0; round < 100 && !exchange; round++) {
        exchange = exchanges.all.slice(before).find((entry) => entry.request.url.endsWith('/Unary'));
        if (!exchange) await exchanges.waitFor(exchanges.all.length + 1);
      }
      expect(exchange!.request.headers.some(([name]) => name === 'grpc-timeout')).toBe(true);
      // The client cancels the stream (RST_STREAM CANCEL) or the server answers DEADLINE_EXCEEDED: either way, not a success.
      const record = grpcOf(exchange!);
      expect(record.requestMessages.map((m) => m.json)).toEqual([{ text: 'slow' }]);
      console.log(`grpc deadline: capture recorded error ${JSON.stringify(exchange!.error)}, status ${String(record.status)}`);
      expect(exchange!.error?.code === 'STREAM_RESET' || record.status === 4).toBe(true);
    } finally {
      echo.close();
    }
  });

  it('flow control: a paused client stops the server; what is buffered between them stays far below the stream', async () => {
    const echo = client();
    try {
      const baseline = process.memoryUsage();
      const call = echo.ServerStream({ text: 'flood' });
      let received = 0;
      const first = new Promise<void>((resolve) => {
        call.on('data', () => {
          received++;
          if (received === 10) {
            call.pause();
            resolve();
          }
        });
      });
      const ended = new Promise<void>((resolve, reject) => {
        call.on('end', resolve);
        call.on('error', reject);
      });
      await first;
      // Wait until the server is stalled on back-pressure (or, if flow control were broken, has written everything).
      let stalledSince = 0;
      let lastSent = -1;
      for (let round = 0; round < 600; round++) {
        await new Promise<void>((resolve) => setTimeout(resolve, 50));
        if (flood.sent >= FLOOD_COUNT) break;
        if (flood.blocked && flood.sent === lastSent) {
          if (!stalledSince) stalledSince = Date.now();
          if (Date.now() - stalledSince > 1_000) break;
        } else stalledSince = 0;
        lastSent = flood.sent;
      }
      const inFlight = (flood.sent - received) * FLOOD_SIZE;
      const grown = process.memoryUsage();
      console.log(`grpc flow control: server wrote ${flood.sent} of ${FLOOD_COUNT}, client read ${received}, in flight ${(inFlight / 2 ** 20).toFixed(1)} MiB, rss +${((grown.rss - baseline.rss) / 2 ** 20).toFixed(1)} MiB`);
      expect(flood.sent).toBeLessThan(FLOOD_COUNT);
      expect(inFlight).toBeLessThan(40 * 1024 * 1024);
      call.resume();
      await ended;
      expect(received).toBe(FLOOD_COUNT);
      let exchange: Exchange | undefined;
      for (let round = 0; round < 100 && !exchange; round++) {
        exchange = exchanges.all.find((entry) => entry.request.url.endsWith('/ServerStream') && firstText(entry) === 'flood');
        if (!exchange) await exchanges.waitFor(exchanges.all.length + 1);
      }
      // The capture copy stops at maxBodySize (10 MiB): it is marked truncated, never grows with the stream.
      expect(exchange!.response?.body?.truncated).toBe(true);
      expect(exchange!.response?.body?.bytes.length).toBeLessThanOrEqual(10 * 1024 * 1024);
      expect(grpcOf(exchange!).responseMessages.length).toBeLessThan(FLOOD_COUNT);
    } finally {
      echo.close();
    }
  }, 120_000);
});
