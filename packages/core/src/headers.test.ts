import { describe, expect, it } from 'vitest';
import { setHostHeader, toForwardedHeaders } from './headers.js';

describe('toForwardedHeaders', () => {
  it('drops hop-by-hop headers and those named by Connection', () => {
    const flat = toForwardedHeaders([
      ['Host', 'a'],
      ['Connection', 'close, X-Foo'],
      ['X-Foo', '1'],
      ['Transfer-Encoding', 'chunked'],
      ['Upgrade', 'websocket'],
      ['Accept', '*/*'],
    ]);
    expect(flat).toEqual(['Host', 'a', 'Accept', '*/*']);
  });
  it('keeps the upgrade pair for WebSocket handshakes', () => {
    expect(toForwardedHeaders([['Connection', 'keep-alive, Upgrade'], ['Upgrade', 'websocket']], { keepUpgrade: true })).toEqual([
      'Connection',
      'Upgrade',
      'Upgrade',
      'websocket',
    ]);
  });
  it('drops Proxy-Authorization only when asked', () => {
    expect(toForwardedHeaders([['Proxy-Authorization', 'x']])).toEqual(['Proxy-Authorization', 'x']);
    expect(toForwardedHeaders([['Proxy-Authorization', 'x']], { dropProxyAuthorization: true })).toEqual([]);
  });
});

describe('setHostHeader', () => {
  it('replaces the Host value in place, or adds it first', () => {
    const flat = ['Accept', '*/*', 'host', 'old'];
    setHostHeader(flat, 'new:8080');
    expect(flat).toEqual(['Accept', '*/*', 'host', 'new:8080']);
    const none = ['Accept', '*/*'];
    setHostHeader(none, 'x');
    expect(none).toEqual(['Host', 'x', 'Accept', '*/*']);
  });
});
