import { describe, expect, it } from 'vitest';
import { defaultItemName, toPostmanItem } from './item.js';

const bytes = (text: string) => Buffer.from(text);

describe('toPostmanItem', () => {
  it('names the item by method and path and keeps headers in order without hop-by-hop, proxy or length headers', () => {
    const item = toPostmanItem({
      request: {
        method: 'post',
        url: 'http://example.com/api/v1/items?x=1',
        headers: [['X-B', '2'], ['Proxy-Connection', 'keep-alive'], ['Content-Type', 'application/json'], ['Content-Length', '7'], ['Connection', 'close'], ['X-A', '1']],
        body: { bytes: bytes('{"a":1}') },
      },
    });
    expect(item.name).toBe('POST /api/v1/items');
    expect(item.request.method).toBe('POST');
    expect(item.request.header).toEqual([{ key: 'X-B', value: '2' }, { key: 'Content-Type', value: 'application/json' }, { key: 'X-A', value: '1' }]);
    expect(item.request.body).toEqual({ mode: 'raw', raw: '{"a":1}', options: { raw: { language: 'json' } } });
    expect(item.response).toEqual([]);
  });

  it('saves the response as an example with status, headers, text body and time; drops encoding headers of decoded bodies', () => {
    const item = toPostmanItem({
      request: { method: 'GET', url: 'https://example.com/', headers: [] },
      response: {
        statusCode: 404,
        statusMessage: 'Not Found',
        headers: [['Content-Type', 'text/html; charset=utf-8'], ['Content-Encoding', 'gzip'], ['Content-Length', '20']],
        body: { bytes: bytes('<h1>nope</h1>'), decoded: true },
      },
      timings: { total: 41.7 },
    });
    expect(item.response).toHaveLength(1);
    const [example] = item.response;
    expect(example).toMatchObject({ name: '404 Not Found', code: 404, status: 'Not Found', body: '<h1>nope</h1>', responseTime: 42, _postman_previewlanguage: 'html' });
    expect(example!.header).toEqual([{ key: 'Content-Type', value: 'text/html; charset=utf-8' }]);
    expect(example!.originalRequest).toBe(item.request);
  });

  it('keeps binary and skipped response bodies out, and leaves the response out when asked', () => {
    const exchange = {
      request: { method: 'GET', url: 'http://example.com/logo.png', headers: [] },
      response: { statusCode: 200, headers: [['Content-Type', 'image/png']] as Array<[string, string]>, body: { bytes: Buffer.from([0x89, 0x50, 0, 1]) } },
    };
    expect(toPostmanItem(exchange).response[0]!.body).toBeNull();
    expect(toPostmanItem(exchange, { saveResponse: false }).response).toEqual([]);
  });

  it('describes a truncated request body', () => {
    const item = toPostmanItem({ request: { method: 'POST', url: 'http://e.com/', headers: [['Content-Type', 'text/plain']], body: { bytes: bytes('abc'), truncated: true } } });
    expect(item.request.description).toContain('truncated to 3 bytes');
  });

  it('notes binary bodies and multipart files, which a collection cannot hold, without mangling them', () => {
    const binary = toPostmanItem({ request: { method: 'PUT', url: 'http://e.com/blob', headers: [['Content-Type', 'application/octet-stream']], body: { bytes: Buffer.from([0, 1, 2, 255]) } } });
    expect(binary.request.body).toEqual({ mode: 'file', file: { src: null } });
    expect(binary.request.description).toBe('The captured request body was 4 bytes of binary data (application/octet-stream), which a collection cannot hold: choose a file to send it.');
    const form = toPostmanItem({
      request: {
        method: 'POST',
        url: 'http://e.com/upload',
        headers: [['Content-Type', 'multipart/form-data; boundary=b']],
        body: { bytes: bytes('--b\r\nContent-Disposition: form-data; name="t"\r\n\r\nhi\r\n--b\r\nContent-Disposition: form-data; name="f"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\r\n--b--\r\n') },
      },
    });
    expect(form.request.description).toBe('The form\'s file field "f" (x.bin) kept only the file name: choose the file to send.');
    const ssh = toPostmanItem({
      request: {
        method: 'POST',
        url: 'http://e.com/upload',
        headers: [['Content-Type', 'multipart/form-data; boundary=b']],
        body: { bytes: bytes('--b\r\nContent-Disposition: form-data; name="f"; filename="/home/me/.ssh/id_rsa"\r\nContent-Type: application/octet-stream\r\n\r\nkey\r\n--b--\r\n') },
      },
    });
    expect(ssh.request.body).toEqual({ mode: 'formdata', formdata: [{ key: 'f', src: null, type: 'file', contentType: 'application/octet-stream', description: 'captured file name: /home/me/.ssh/id_rsa' }] });
    expect(ssh.request.description).toBe('The form\'s file field "f" (/home/me/.ssh/id_rsa) kept only the file name: choose the file to send.');
    const text = toPostmanItem({ request: { method: 'POST', url: 'http://e.com/', headers: [['Content-Type', 'text/plain']], body: { bytes: bytes('hello') } } });
    expect(text.request.description).toBeUndefined();
  });

  it('falls back to the raw URL when it cannot be parsed', () => {
    expect(defaultItemName({ method: 'get', url: 'not a url' })).toBe('GET not a url');
  });
});
