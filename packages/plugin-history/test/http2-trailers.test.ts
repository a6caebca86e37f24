import http from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Exchange } from '@capture/core';
import { nextExchange, startOrigin, startProxy, type TestOrigin, type TestProxy } from '@capture/core/testing';
import type { Har } from 'har-format';
import history, { type HistoryApi } from '../src/index.js';
import { runList } from '../src/commands/list.js';
import { runShow } from '../src/commands/show.js';
import { compileHarSchema } from './helpers/har.js';
import { runInProcess } from './helpers/in-process.js';
import { cleanupAll, tempDir } from './helpers/temp.js';

// HTTP versions and trailers as history stores, shows and exports them. Trailers are real (a
// chunked HTTP/1.1 request and response through the proxy); the HTTP/2 gRPC exchange is that
// real exchange given the shape an h2 stream records (httpVersion '2' on both sides, gRPC
// headers and `grpc-status` trailers) and passed to `onExchange`, as the HTTPS plugin would.

let proxy: TestProxy | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  await proxy?.close();
  await origin?.close();
  proxy = origin = undefined;
  cleanupAll();
});

/** POSTs a chunked body with request trailers through the proxy; resolves with the response's trailers. */
function postWithTrailers(proxyPort: number, url: string): Promise<NodeJS.Dict<string>> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: proxyPort, method: 'POST', path: url, agent: false, headers: { 'Content-Type': 'text/plain', Trailer: 'X-Checksum' } });
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.trailers));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.write('hello ');
    req.addTrailers({ 'X-Checksum': 'abc123' });
    req.end('world');
  });
}

async function setUp(): Promise<{ api: HistoryApi; dataDir: string; chunked: Exchange; grpc: Exchange }> {
  origin = await startOrigin((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'text/plain', Trailer: 'X-Origin-Sum' });
      res.write('ok');
      res.addTrailers({ 'X-Origin-Sum': 'sum-of-ok' });
      res.end();
    });
  });
  const dataDir = tempDir();
  const plugin = history({ flushInterval: 10 });
  proxy = await startProxy({ dataDir, plugins: [plugin] });
  const api = plugin.api!;
  const next = nextExchange(proxy.proxy);
  expect(await postWithTrailers(proxy.port, `${origin.url}/chunked`)).toEqual({ 'x-origin-sum': 'sum-of-ok' });
  const chunked = await next;
  const grpc: Exchange = {
    ...chunked,
    id: chunked.id + 1000,
    tls: true,
    request: {
      ...chunked.request,
      url: 'https://localhost:50051/shop.Shop/GetItem',
      httpVersion: '2',
      headers: [['content-type', 'application/grpc'], ['te', 'trailers'], ['grpc-timeout', '5S']],
      trailers: undefined,
    },
    response: {
      ...chunked.response!,
      httpVersion: '2',
      headers: [['content-type', 'application/grpc']],
      trailers: [['grpc-status', '5'], ['grpc-message', 'no%20such%20item']],
    },
  };
  await proxy.proxy.hooks.onExchange.promise(grpc);
  await api.flush();
  return { api, dataDir, chunked, grpc };
}

describe('HTTP versions and trailers in history', () => {
  it('stores both sides\' trailers and HTTP versions and reads them back', async () => {
    const { api } = await setUp();
    await vi.waitFor(() => expect(api.list()).toHaveLength(2));
    const [grpcRow, chunkedRow] = api.list();
    expect(chunkedRow).toMatchObject({ httpVersion: '1.1', responseHttpVersion: '1.1', grpcStatus: null });
    expect(grpcRow).toMatchObject({ httpVersion: '2', responseHttpVersion: '2', grpcStatus: 'grpc 5 NOT_FOUND', status: 200 });
    const chunked = api.get(chunkedRow!.id)!;
    expect(chunked.request.trailers).toEqual([['X-Checksum', 'abc123']]);
    expect(chunked.response!.trailers).toEqual([['X-Origin-Sum', 'sum-of-ok']]);
    expect(chunked.request.body!.bytes.toString()).toBe('hello world');
    const grpc = api.get(grpcRow!.id)!;
    expect(grpc.request).toMatchObject({ httpVersion: '2' });
    expect(grpc.request.trailers).toBeUndefined();
    expect(grpc.response).toMatchObject({ httpVersion: '2', trailers: [['grpc-status', '5'], ['grpc-message', 'no%20such%20item']] });
  });

  it('capture history show prints the versions and trailers, readable and as JSON; list shows the gRPC status', async () => {
    const { api, dataDir } = await setUp();
    await vi.waitFor(() => expect(api.list()).toHaveLength(2));
    const [grpcRow, chunkedRow] = api.list();
    await proxy!.close();
    proxy = undefined;

    const shown = await runInProcess(runShow, dataDir, {}, [String(grpcRow!.id)]);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('POST https://localhost:50051/shop.Shop/GetItem HTTP/2\n');
    expect(shown.stdout).toMatch(/^HTTP\/2 200 OK/m);
    expect(shown.stdout).toContain('(trailers)\ngrpc-status: 5\ngrpc-message: no%20such%20item\n');
    expect(shown.stdout).toContain('gRPC status: grpc 5 NOT_FOUND: no such item');

    const json = JSON.parse((await runInProcess(runShow, dataDir, { json: true }, [String(chunkedRow!.id)])).stdout) as {
      request: { httpVersion: string; trailers: string[][] };
      response: { httpVersion: string; trailers: string[][] };
    };
    expect(json.request).toMatchObject({ httpVersion: '1.1', trailers: [['X-Checksum', 'abc123']] });
    expect(json.response).toMatchObject({ httpVersion: '1.1', trailers: [['X-Origin-Sum', 'sum-of-ok']] });
    const grpcJson = JSON.parse((await runInProcess(runShow, dataDir, { json: true }, [String(grpcRow!.id)])).stdout) as typeof json;
    expect(grpcJson.request).toMatchObject({ httpVersion: '2', trailers: [] });
    expect(grpcJson.response).toMatchObject({ httpVersion: '2', trailers: [['grpc-status', '5'], ['grpc-message', 'no%20such%20item']] });

    const table = await runInProcess(runList, dataDir, {});
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[1]).toMatch(/^\s*\d+\s+\S+\s+POST\s+grpc 5 NOT_FOUND\s+localhost:50051\s+\/shop\.Shop\/GetItem\s/);
    expect(lines[2]).toMatch(/^\s*\d+\s+\S+\s+POST\s+200\s+127\.0\.0\.1:\d+\s+\/chunked\s/);
    const listed = JSON.parse((await runInProcess(runList, dataDir, { json: true })).stdout) as Array<Record<string, unknown>>;
    expect(listed[0]).toMatchObject({ status: 200, grpcStatus: 'grpc 5 NOT_FOUND', httpVersion: '2' });
    expect(listed[1]).toMatchObject({ status: 200, httpVersion: '1.1' });
    expect(listed[1]).not.toHaveProperty('grpcStatus');
  });

  it('exports HTTP/2 as HTTP/2.0 and trailers as _trailers in a valid HAR', async () => {
    const { api } = await setUp();
    await vi.waitFor(() => expect(api.list()).toHaveLength(2));
    const har = JSON.parse(api.render('har', api.exchanges())) as Har;
    const validate = compileHarSchema();
    expect(validate(har), JSON.stringify(validate.errors)).toBe(true);
    const [chunked, grpc] = har.log.entries as Array<Har['log']['entries'][number] & { request: { _trailers?: unknown }; response: { _trailers?: unknown } }>;
    expect(chunked!.request.httpVersion).toBe('HTTP/1.1');
    expect(chunked!.response.httpVersion).toBe('HTTP/1.1');
    expect(chunked!.request._trailers).toEqual([{ name: 'X-Checksum', value: 'abc123' }]);
    expect(chunked!.response._trailers).toEqual([{ name: 'X-Origin-Sum', value: 'sum-of-ok' }]);
    expect(grpc!.request.httpVersion).toBe('HTTP/2.0');
    expect(grpc!.response.httpVersion).toBe('HTTP/2.0');
    expect(grpc!.request._trailers).toBeUndefined();
    expect(grpc!.response._trailers).toEqual([{ name: 'grpc-status', value: '5' }, { name: 'grpc-message', value: 'no%20such%20item' }]);
  });

  it('curl export adds --http2 for requests the client sent over HTTP/2', async () => {
    const { api } = await setUp();
    await vi.waitFor(() => expect(api.list()).toHaveLength(2));
    const [chunked, grpc] = api.exchanges();
    expect(api.render('curl', [grpc!])).toMatch(/^curl --http2 'https:\/\/localhost:50051\/shop\.Shop\/GetItem' .*--data-raw/);
    expect(api.render('curl', [grpc!])).toContain("-H 'grpc-timeout: 5S'");
    expect(api.render('curl', [chunked!])).not.toContain('--http2');
  });
});
