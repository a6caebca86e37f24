import { describe, expect, it } from 'vitest';
import { prettyXml, toBodyView } from './body-view.js';

const view = (body: string | Buffer, type?: string, extra: { truncated?: boolean; skipped?: string } = {}) => {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  return toBodyView({ bytes, size: bytes.length, headers: type ? [['Content-Type', type]] : [], ...extra });
};

describe('body views', () => {
  it('pretty-prints JSON (also +json types and untyped JSON), and leaves broken JSON as text', () => {
    expect(view('{"a":[1,2]}', 'application/json')).toMatchObject({ kind: 'json', text: '{\n  "a": [\n    1,\n    2\n  ]\n}' });
    expect(view('{"a":1}', 'application/problem+json; charset=utf-8').kind).toBe('json');
    expect(view('[1]').kind).toBe('json');
    expect(view('{"a":', 'application/json', { truncated: true })).toMatchObject({ kind: 'text', text: '{"a":', truncated: true });
  });

  it('indents XML, one element a line, text-only elements on one line', () => {
    expect(prettyXml('<a><b x="1">t</b><c/><!-- n --></a>')).toBe('<a>\n  <b x="1">t</b>\n  <c/>\n  <!-- n -->\n</a>');
    expect(view('<r><x>1</x></r>', 'text/xml').kind).toBe('xml');
  });

  it('lists URL-encoded and multipart form fields, files as a note', () => {
    expect(view('a=1&b=two+words&a=3', 'application/x-www-form-urlencoded').fields).toEqual([['a', '1'], ['b', 'two words'], ['a', '3']]);
    const multipart = '--XX\r\nContent-Disposition: form-data; name="title"\r\n\r\nHello\r\n--XX\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\nContent-Type: application/octet-stream\r\n\r\n\x00\x01\x02\r\n--XX--\r\n';
    expect(view(multipart, 'multipart/form-data; boundary=XX')).toMatchObject({ kind: 'form', fields: [['title', 'Hello'], ['file', '(file "a.bin", application/octet-stream, 3 bytes)']] });
  });

  it('shows raster images inline but never SVG as an image, summarises binary, and says why a body is missing', () => {
    expect(view(Buffer.from([0x89, 0x50]), 'image/png').dataUrl).toBe('data:image/png;base64,iVA=');
    expect(view('<svg onload="x()"/>', 'image/svg+xml').kind).toBe('xml');
    expect(view(Buffer.from([0x89, 0x50]), 'image/png', { truncated: true }).kind).toBe('binary');
    expect(view(Buffer.from([0, 1, 2, 255]), 'application/octet-stream')).toMatchObject({ kind: 'binary', hex: '00 01 02 ff' });
    expect(toBodyView({ size: 2048, headers: [['content-type', 'image/jpeg']], skipped: 'media' })).toMatchObject({ kind: 'skipped', skipped: 'media', size: 2048, type: 'image/jpeg' });
    expect(toBodyView({ size: 0, headers: [] }).kind).toBe('empty');
  });
});
