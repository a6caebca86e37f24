import { describe, expect, it } from 'vitest';
import { closePayload, encodeFrame, FrameParser, parseClosePayload, type FrameHeader } from './frames.js';
import { parseDeflateParams } from './extensions.js';

function collect(fromClient: boolean, compression = false) {
  const frames: Array<{ header: FrameHeader; data: Buffer[] }> = [];
  const parser = new FrameParser(
    { fromClient, compression },
    {
      frame: (header) => frames.push({ header, data: [] }),
      payload: (data) => frames.at(-1)!.data.push(data),
      frameEnd: () => undefined,
    },
  );
  return { parser, frames };
}

describe('FrameParser', () => {
  it('parses masked frames of every length form fed one byte at a time, leaving the input unchanged', () => {
    const payloads = [Buffer.alloc(0), Buffer.from('hi'), Buffer.alloc(300, 1), Buffer.alloc(70_000, 2)];
    const wire = Buffer.concat(payloads.map((p) => encodeFrame(2, p, true)));
    const copy = Buffer.from(wire);
    const { parser, frames } = collect(true);
    for (let i = 0; i < wire.length; i++) expect(parser.push(wire.subarray(i, i + 1))).toBeUndefined();
    expect(wire.equals(copy)).toBe(true);
    expect(frames.map((f) => Buffer.concat(f.data))).toEqual(payloads);
    expect(parser.atBoundary).toBe(true);
  });

  it.each([
    ['a reserved opcode', Buffer.from([0x83, 0x80, 0, 0, 0, 0]), /reserved opcode 3/],
    ['a fragmented control frame', Buffer.from([0x09, 0x80, 0, 0, 0, 0]), /fragmented control/],
    ['a long control frame', Buffer.from([0x89, 0xfe, 0, 126, 0, 0, 0, 0]), /control frame of 126/],
    ['RSV1 without deflate', Buffer.from([0xc1, 0x80, 0, 0, 0, 0]), /RSV1/],
    ['a lone continuation', Buffer.from([0x80, 0x80, 0, 0, 0, 0]), /continuation/],
    ['an unmasked client frame', Buffer.from([0x81, 0x00]), /unmasked/],
  ])('refuses %s with 1002 and says where the frame began', (_name, bad, message) => {
    const { parser } = collect(true);
    const good = encodeFrame(1, Buffer.from('ok'), true);
    const failure = parser.push(Buffer.concat([good, bad]));
    expect(failure?.error.closeCode).toBe(1002);
    expect(failure?.error.message).toMatch(message);
    expect(failure?.frameStart).toBe(good.length);
  });

  it('parses close payloads and refuses bad ones', () => {
    expect(parseClosePayload(closePayload(4000, 'why'))).toEqual({ code: 4000, reason: 'why' });
    expect(parseClosePayload(Buffer.alloc(0))).toEqual({ code: undefined, reason: '' });
    expect(() => parseClosePayload(Buffer.from([3]))).toThrow(/1-byte/);
    expect(() => parseClosePayload(Buffer.from([0x03, 0xee]))).toThrow(/invalid code 1006/);
    expect(() => parseClosePayload(Buffer.from([0x03, 0xe8, 0xff]))).toThrow(expect.objectContaining({ closeCode: 1007 }));
    // A long reason is cut on a character boundary to fit a control frame.
    expect(closePayload(1000, 'é'.repeat(100)).length).toBeLessThanOrEqual(125);
    expect(parseClosePayload(closePayload(1000, 'é'.repeat(100))).reason).toBe('é'.repeat(61));
  });
});

describe('parseDeflateParams', () => {
  it('reads what the server accepted', () => {
    expect(parseDeflateParams(undefined)).toBeUndefined();
    expect(parseDeflateParams('x-webkit-deflate-frame')).toBeUndefined();
    expect(parseDeflateParams('permessage-deflate; client_max_window_bits=10; server_no_context_takeover')).toEqual({
      serverNoContextTakeover: true,
      clientNoContextTakeover: false,
    });
  });
});
