import { describe, expect, it } from 'vitest';
import { toPostmanBody } from './body.js';

const bytes = (text: string) => ({ bytes: Buffer.from(text) });

describe('toPostmanBody', () => {
  it('has no body for an empty one', () => {
    expect(toPostmanBody(undefined, undefined, 'http://e.com/')).toBeUndefined();
    expect(toPostmanBody(bytes(''), 'text/plain', 'http://e.com/')).toBeUndefined();
  });

  it('decodes urlencoded forms into fields', () => {
    expect(toPostmanBody(bytes('a=1&b=x+y&c=%26'), 'application/x-www-form-urlencoded', 'http://e.com/')).toEqual({
      mode: 'urlencoded',
      urlencoded: [
        { key: 'a', value: '1', type: 'text' },
        { key: 'b', value: 'x y', type: 'text' },
        { key: 'c', value: '&', type: 'text' },
      ],
    });
  });

  it('splits multipart forms into text and file fields', () => {
    const body = bytes('--b\r\nContent-Disposition: form-data; name="k"\r\n\r\nv\r\n--b\r\nContent-Disposition: form-data; name="f"; filename="x.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\r\n--b--\r\n');
    expect(toPostmanBody(body, 'multipart/form-data; boundary=b', 'http://e.com/')).toEqual({
      mode: 'formdata',
      formdata: [
        { key: 'k', value: 'v', type: 'text' },
        { key: 'f', src: null, type: 'file', contentType: 'application/octet-stream', description: 'captured file name: x.bin' },
      ],
    });
  });

  it('never turns a captured file name into a src a runner would read (a path stays in the description)', () => {
    const body = bytes('--b\r\nContent-Disposition: form-data; name="key"; filename="/home/me/.ssh/id_rsa"\r\nContent-Type: application/octet-stream\r\n\r\nsecret\r\n--b\r\nContent-Disposition: form-data; name="g"; filename=""\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--\r\n');
    const result = toPostmanBody(body, 'multipart/form-data; boundary=b', 'http://e.com/');
    expect(result).toEqual({
      mode: 'formdata',
      formdata: [
        { key: 'key', src: null, type: 'file', contentType: 'application/octet-stream', description: 'captured file name: /home/me/.ssh/id_rsa' },
        { key: 'g', src: null, type: 'file', contentType: 'text/plain' },
      ],
    });
    expect(JSON.stringify(result)).not.toMatch(/"src":"/);
  });

  it('recognises GraphQL requests', () => {
    expect(toPostmanBody(bytes('{ me }'), 'application/graphql', 'http://e.com/q')).toEqual({ mode: 'graphql', graphql: { query: '{ me }' } });
    expect(toPostmanBody(bytes('{"query":"{ me }"}'), 'application/json', 'http://e.com/api/graphql')).toEqual({ mode: 'graphql', graphql: { query: '{ me }' } });
    expect(toPostmanBody(bytes('{"query":"{ me }"}'), 'application/json', 'http://e.com/search')?.mode).toBe('raw');
  });

  it('keeps text raw with its language, decoding its charset', () => {
    expect(toPostmanBody(bytes('<a/>'), 'application/soap+xml', 'http://e.com/')).toEqual({ mode: 'raw', raw: '<a/>', options: { raw: { language: 'xml' } } });
    const latin1 = { bytes: Buffer.from([0x63, 0x61, 0x66, 0xe9]) };
    expect(toPostmanBody(latin1, 'text/plain; charset=iso-8859-1', 'http://e.com/')).toMatchObject({ raw: 'café' });
    expect(toPostmanBody(bytes('plain words'), undefined, 'http://e.com/')).toMatchObject({ mode: 'raw', raw: 'plain words' });
  });

  it('gives binary bodies the file mode with no file, since a collection cannot carry the bytes', () => {
    expect(toPostmanBody({ bytes: Buffer.from([0, 159, 146, 150]) }, undefined, 'http://e.com/')).toEqual({ mode: 'file', file: { src: null } });
    expect(toPostmanBody(bytes('abc'), 'application/octet-stream', 'http://e.com/')).toEqual({ mode: 'file', file: { src: null } });
  });

  it('keeps a truncated form as raw text rather than inventing fields', () => {
    expect(toPostmanBody({ bytes: Buffer.from('a=1&b=2'), truncated: true }, 'application/x-www-form-urlencoded', 'http://e.com/')?.mode).toBe('raw');
  });
});
