import http2 from 'node:http2';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { collectExchanges, type ExchangeCollector, type TestOrigin } from '@capture/core/testing';
import type { Exchange } from '@capture/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curlThroughProxy } from './helpers/curl.js';
import { h2Over, h2Request, startH2Origin, type H2Origin } from './helpers/h2-origin.js';
import { startHttpsProxy, tempDataDir, type HttpsTestProxy } from './helpers/https-proxy.js';
import { tlsThroughProxy } from './helpers/through-proxy.js';
import { selfSignedCertificate, startTlsOrigin } from './helpers/tls-origin.js';

let files: ReturnType<typeof tempDataDir>;
let originCaFile: string;
let caFile: string;
let dual: H2Origin;
let h2Only: H2Origin;
let h1Only: TestOrigin;
let faulty: H2Origin;
let proxy: HttpsTestProxy;
let exchanges: ExchangeCollector;

beforeAll(async () => {
  files = tempDataDir();
  const cert = selfSignedCertificate(['localhost', '127.0.0.1']);
  originCaFile = path.join(files.dir, 'origin.pem');
  writeFileSync(originCaFile, cert.certPem);
  dual = await startH2Origin(cert);
  h2Only = await startH2Origin(cert, { allowHTTP1: false });
  h1Only = await startTlsOrigin(cert);
  faulty = await startH2Origin(cert, {
    allowHTTP1: false,
    handler: (req, res) => {
      if (req.url === '/reset') return void req.stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
      if (req.url?.startsWith('/slow')) return void setTimeout(() => res.end('slow done'), 200);
      res.end('fine');
    },
  });
  proxy = await startHttpsProxy({ upstreamCa: [originCaFile] });
  caFile = path.join(files.dir, 'capture-ca.pem');
  writeFileSync(caFile, proxy.caPem);
  exchanges = collectExchanges(proxy.proxy);
});

afterAll(async () => {
  await proxy?.close();
  await Promise.all([dual?.close(), h2Only?.close(), h1Only?.close(), faulty?.close()]);
  files?.remove();
});

function captured(predicate: (exchange: Exchange) => boolean): Promise<Exchange> {
  return (async () => {
    for (;;) {
      const found = exchanges.all.find(predicate);
      if (found) return found;
      await exchanges.waitFor(exchanges.all.length + 1);
    }
  })();
}

describe('HTTP/2 through HTTPS interception', () => {
  it('curl --http2 to an h2 origin negotiates h2 on both legs', async () => {
    const result = await curlThroughProxy(proxy.port, ['--http2', '--cacert', caFile, '-w', '\n%{http_version}', `https://localhost:${dual.port}/both?x=1`]);
    expect(result.stderr).toBe('');
    const [body, version] = result.stdout.split('\n');
    expect(version).toBe('2');
    expect(JSON.parse(body!)).toMatchObject({ httpVersion: '2.0', path: '/both?x=1' });
    const exchange = await captured((entry) => entry.request.url === `https://localhost:${dual.port}/both?x=1`);
    expect(exchange.request.httpVersion).toBe('2');
    expect(exchange.response).toMatchObject({ statusCode: 200, httpVersion: '2', trailers: [['x-done', 'yes']] });
    expect(exchange.request.headers.every(([name]) => !name.startsWith(':') && name === name.toLowerCase())).toBe(true);
  });

  it('curl --http1.1 reaches an h2-only origin (h1 in, h2 out)', async () => {
    const result = await curlThroughProxy(proxy.port, ['--http1.1', '--cacert', caFile, '-w', '\n%{http_version}', `https://localhost:${h2Only.port}/h1-in`]);
    expect(result.stderr).toBe('');
    const [body, version] = result.stdout.split('\n');
    expect(version).toBe('1.1');
    expect(JSON.parse(body!)).toMatchObject({ httpVersion: '2.0', path: '/h1-in' });
    const exchange = await captured((entry) => entry.request.url.endsWith('/h1-in'));
    expect(exchange.request.httpVersion).toBe('1.1');
    expect(exchange.response?.httpVersion).toBe('2');
  });

  it('a node:http2 client multiplexes streams; response and request trailers are forwarded and recorded', async () => {
    const authority = `localhost:${dual.port}`;
    const socket = await tlsThroughProxy(proxy.port, authority, { ca: proxy.caPem, ALPNProtocols: ['h2', 'http/1.1'] });
    expect(socket.alpnProtocol).toBe('h2');
    const session = h2Over(socket, authority);
    try {
      const results = await Promise.all(Array.from({ length: 8 }, (_, index) => h2Request(session, { ':path': `/multi/${index}` })));
      for (const [index, result] of results.entries()) {
        expect(result.status).toBe(200);
        expect(JSON.parse(result.body)).toMatchObject({ httpVersion: '2.0', path: `/multi/${index}` });
        expect(result.trailers?.['x-done']).toBe('yes');
      }
      const posted = await h2Request(session, { ':method': 'POST', ':path': '/with-trailers', te: 'trailers' }, 'payload', { 'x-checksum': 'abc' });
      expect(JSON.parse(posted.body)).toMatchObject({ body: 'payload', trailers: { 'x-checksum': 'abc' } });
      const exchange = await captured((entry) => entry.request.url.endsWith('/with-trailers'));
      expect(exchange.request).toMatchObject({ method: 'POST', httpVersion: '2', trailers: [['x-checksum', 'abc']] });
      expect(exchange.request.body?.bytes.toString()).toBe('payload');
      expect(exchange.response?.trailers).toEqual([['x-done', 'yes']]);
      for (let index = 0; index < 8; index++) await captured((entry) => entry.request.url.endsWith(`/multi/${index}`));
    } finally {
      session.destroy();
    }
  });

  it('50 concurrent streams on 5 connections to an origin sending head and body in one write all complete (the body once arrived before its head and crashed the proxy)', async () => {
    const body = Buffer.alloc(1024, 'x');
    const oneWrite = await startH2Origin(selfSignedCertificate(['localhost']), { allowHTTP1: false, handler: () => undefined });
    // The stream API in one tick: nghttp2 sends HEADERS and DATA in one write, so they arrive together.
    oneWrite.server.on('stream', (stream) => {
      stream.respond({ ':status': 200, 'content-length': body.length });
      stream.end(body);
    });
    const sessions: http2.ClientHttp2Session[] = [];
    try {
      const authority = `localhost:${oneWrite.port}`;
      const untrusted = await startHttpsProxy({ insecureUpstream: true }, files.dir);
      try {
        for (let index = 0; index < 5; index++) {
          const socket = await tlsThroughProxy(untrusted.port, authority, { ca: untrusted.caPem, ALPNProtocols: ['h2'] });
          sessions.push(h2Over(socket, authority));
        }
        const loops = sessions.flatMap((session) =>
          Array.from({ length: 10 }, async () => {
            const statuses: number[] = [];
            for (let round = 0; round < 20; round++) {
              const result = await h2Request(session, { ':path': `/one-write/${round}` });
              statuses.push(result.body.length === body.length ? result.status : -1);
            }
            return statuses;
          }),
        );
        const statuses = (await Promise.all(loops)).flat();
        expect(statuses).toHaveLength(1000);
        expect(statuses.every((status) => status === 200)).toBe(true);
      } finally {
        for (const session of sessions) session.destroy();
        await untrusted.close();
      }
    } finally {
      await oneWrite.close();
    }
  });

  it('an h2-only client (gRPC style) reaches an HTTP/1.1-only origin (h2 in, h1 out)', async () => {
    const authority = `localhost:${h1Only.port}`;
    const socket = await tlsThroughProxy(proxy.port, authority, { ca: proxy.caPem, ALPNProtocols: ['h2'] });
    expect(socket.alpnProtocol).toBe('h2');
    const session = h2Over(socket, authority);
    try {
      const result = await h2Request(session, { ':method': 'POST', ':path': '/h2-in', 'content-type': 'text/plain' }, 'hello');
      expect(result.status).toBe(200);
      expect(JSON.parse(result.body)).toMatchObject({ method: 'POST', url: '/h2-in', body: 'hello' });
      const exchange = await captured((entry) => entry.request.url.endsWith('/h2-in'));
      expect(exchange.request.httpVersion).toBe('2');
      expect(exchange.response?.httpVersion).toBe('1.1');
    } finally {
      session.destroy();
    }
  });

  it('a stream reset by the origin is an exchange with STREAM_RESET; another stream on the connection completes', async () => {
    const authority = `localhost:${faulty.port}`;
    const socket = await tlsThroughProxy(proxy.port, authority, { ca: proxy.caPem, ALPNProtocols: ['h2'] });
    const session = h2Over(socket, authority);
    try {
      const slow = h2Request(session, { ':path': '/slow' });
      const reset = await h2Request(session, { ':path': '/reset' }).then(
        (result) => result.status,
        (error: Error) => error.message,
      );
      expect(reset).toBe(502);
      expect((await slow).body).toBe('slow done');
      const exchange = await captured((entry) => entry.request.url.endsWith('/reset'));
      expect(exchange.error?.code).toBe('STREAM_RESET');
      // The connection still serves new streams.
      expect((await h2Request(session, { ':path': '/after' })).body).toBe('fine');
    } finally {
      session.destroy();
    }
  });

  it('a stream the client resets is an exchange with STREAM_RESET; the others go on', async () => {
    const authority = `localhost:${faulty.port}`;
    const socket = await tlsThroughProxy(proxy.port, authority, { ca: proxy.caPem, ALPNProtocols: ['h2'] });
    const session = h2Over(socket, authority);
    try {
      const cancelled = session.request({ ':path': '/slow?cancel' });
      cancelled.on('error', () => undefined);
      cancelled.on('response', () => undefined);
      const other = h2Request(session, { ':path': '/slow?keep' });
      // Once the proxy has the stream open upstream (its exchange started), the client cancels it.
      await new Promise<void>((resolve) => setImmediate(resolve));
      cancelled.close(http2.constants.NGHTTP2_CANCEL);
      expect((await other).body).toBe('slow done');
      const exchange = await captured((entry) => entry.request.url.endsWith('/slow?cancel'));
      expect(exchange.error?.code).toBe('STREAM_RESET');
    } finally {
      session.destroy();
    }
  });

  it('many sequential streams on one connection leave no per-stream state behind', async () => {
    const authority = `localhost:${faulty.port}`;
    const socket = await tlsThroughProxy(proxy.port, authority, { ca: proxy.caPem, ALPNProtocols: ['h2'] });
    const session = h2Over(socket, authority);
    try {
      const total = 2_000;
      const before = exchanges.all.length;
      for (let batch = 0; batch < total / 50; batch++) {
        await Promise.all(Array.from({ length: 50 }, () => h2Request(session, { ':path': '/many' })));
      }
      await exchanges.waitFor(before + total);
      // One client connection, whatever the number of streams it carried.
      expect(proxy.proxy.openConnections).toBeLessThanOrEqual(2);
      expect(session.state.localWindowSize).toBeGreaterThan(0);
    } finally {
      session.destroy();
    }
  }, 60_000);
});

describe('HTTP/2 turned off', () => {
  it('http2: false gives HTTP/1.1 to an h2-capable client', async () => {
    const off = await startHttpsProxy({ upstreamCa: [originCaFile], http2: false });
    try {
      const ca = path.join(off.dataDir, 'ca-off.pem');
      writeFileSync(ca, off.caPem);
      const result = await curlThroughProxy(off.port, ['--http2', '--cacert', ca, '-o', '/dev/null', '-w', '%{http_version}', `https://localhost:${dual.port}/`]);
      expect(result.stdout).toBe('1.1');
    } finally {
      await off.close();
    }
  });
});
