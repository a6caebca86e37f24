import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { captureClientHello } from '../test/helpers/client-hello.js';
import { parseAlpn, parseServerName, readTunnelStart } from './client-hello.js';

describe('parseServerName', () => {
  it('finds the SNI name in a real ClientHello', async () => {
    const hello = await captureClientHello({ servername: 'Api.Example.COM' });
    expect(parseServerName(hello.subarray(5))).toBe('api.example.com');
  });

  it('returns undefined for a ClientHello without SNI', async () => {
    const hello = await captureClientHello({});
    expect(parseServerName(hello.subarray(5))).toBeUndefined();
  });

  it('returns undefined for truncated or foreign bytes instead of throwing', async () => {
    const hello = await captureClientHello({ servername: 'example.com' });
    expect(parseServerName(hello.subarray(5, 60))).toBeUndefined();
    expect(parseServerName(Buffer.from('GET / HTTP/1.1\r\n'))).toBeUndefined();
  });
});

describe('parseAlpn', () => {
  it('lists the protocols a real ClientHello offers, in order', async () => {
    const hello = await captureClientHello({ servername: 'a.example', ALPNProtocols: ['h2', 'http/1.1'] });
    expect(parseAlpn(hello.subarray(5))).toEqual(['h2', 'http/1.1']);
  });

  it('is empty without the extension, and for truncated or foreign bytes', async () => {
    const hello = await captureClientHello({ servername: 'a.example' });
    expect(parseAlpn(hello.subarray(5))).toEqual([]);
    const withAlpn = await captureClientHello({ ALPNProtocols: ['h2'] });
    expect(parseAlpn(withAlpn.subarray(5, 60))).toEqual([]);
    expect(parseAlpn(Buffer.from('GET / HTTP/1.1\r\n'))).toEqual([]);
  });
});

describe('readTunnelStart', () => {
  it('waits for the whole first record across chunks and puts every byte back', async () => {
    const hello = await captureClientHello({ servername: 'split.example' });
    const socket = new PassThrough();
    const result = readTunnelStart(socket, 5_000);
    socket.write(hello.subarray(0, 3));
    socket.write(hello.subarray(3, 40));
    socket.write(hello.subarray(40));
    const start = await result;
    expect(start).toMatchObject({ kind: 'tls', servername: 'split.example' });
    expect(socket.read()).toEqual(hello);
  });

  it('reports non-TLS bytes at once and puts them back', async () => {
    const socket = new PassThrough();
    const result = readTunnelStart(socket, 5_000);
    socket.write('SSH-2.0-OpenSSH\r\n');
    expect((await result).kind).toBe('other');
    expect(String(socket.read())).toBe('SSH-2.0-OpenSSH\r\n');
  });

  it('gives up on a client that sends nothing (a server-first protocol) after the timeout', async () => {
    const socket = new PassThrough();
    expect(await readTunnelStart(socket, 20)).toEqual({ kind: 'other', bytes: Buffer.alloc(0) });
  });

  it('reports a client that closes before sending anything', async () => {
    const socket = new PassThrough();
    const result = readTunnelStart(socket, 5_000);
    socket.end();
    expect((await result).kind).toBe('closed');
  });
});
