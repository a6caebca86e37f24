import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { StoredExchange } from '@capture/core';
import { printfCommand, quote, quoteBytes, toCurl, toCurlScript } from './curl.js';

/** What bash makes of a quoted word: the bytes it passes to a program. */
const bashSees = (word: string) => execFileSync('bash', ['-c', `printf %s ${word}`]);

const exchange = (request: Partial<StoredExchange['request']>): StoredExchange => ({
  id: 7,
  client: { address: '127.0.0.1', port: 1 },
  tls: false,
  mocked: false,
  request: { method: 'GET', url: 'http://example.com/', host: 'example.com', httpVersion: '1.1', headers: [], bodySize: 0, ...request },
  timings: { startedAt: 0, total: 1 },
});

describe('shell quoting', () => {
  it('round-trips text, quotes, control characters and binary through bash', () => {
    for (const text of ["it's", 'a "b" $HOME `x` \\ !', 'line1\nline2\ttab', 'café ☕']) expect(bashSees(quote(text)).toString()).toBe(text);
    const binary = Buffer.from([1, 0x27, 0x5c, 0x7f, 0x80, 0xff, 0x0a, 0x41, 0x25]);
    expect(bashSees(quoteBytes(binary))).toEqual(binary);
  });

  it('writes bodies with NUL bytes (which no shell argument can hold) with printf, even when they start with -', () => {
    const binary = Buffer.from([0x2d, 0x76, 0, 1, 0x27, 0x5c, 0x25, 0x37, 0xff, 0x0a, 0x41, 0]);
    expect(execFileSync('bash', ['-c', printfCommand(binary)])).toEqual(binary);
    expect(() => quoteBytes(Buffer.from([0x41, 0]))).toThrow(RangeError);
  });

  it('escapes ! inside $\'…\' so interactive history expansion has nothing to expand', () => {
    expect(quote('a!\nb')).toBe("$'a\\x21\\nb'");
  });

  it('keeps every command on one line', () => {
    expect(quote('a\nb')).toBe("$'a\\nb'");
  });
});

describe('toCurl', () => {
  it('leaves GET implicit, drops headers curl sets or must not send, and asks for compression with --compressed', () => {
    const line = toCurl(exchange({ headers: [['Host', 'example.com'], ['Accept-Encoding', 'gzip, br'], ['Proxy-Connection', 'keep-alive'], ['X-A', '1']] }));
    expect(line).toBe("curl 'http://example.com/' --compressed -H 'X-A: 1'");
  });

  it('uses -X for other methods, --head for HEAD, --globoff for brackets, and marks truncated bodies', () => {
    expect(toCurl(exchange({ method: 'DELETE', url: 'http://e.com/a[1]' }))).toBe("curl -X 'DELETE' --globoff 'http://e.com/a[1]'");
    expect(toCurl(exchange({ method: 'HEAD' }))).toBe("curl --head 'http://example.com/'");
    const truncated = toCurl(exchange({ method: 'PUT', body: { bytes: Buffer.from('abc'), size: 10, truncated: true, decoded: false } }));
    expect(truncated).toBe("# #7: request body truncated (3 of 10 bytes captured)\ncurl -X 'PUT' 'http://example.com/' --data-raw 'abc'");
  });

  it('sends bodies with --data-raw (never @file) and NUL bodies from printf on standard input', () => {
    expect(toCurl(exchange({ method: 'POST', body: { bytes: Buffer.from('@/etc/passwd'), size: 12, truncated: false, decoded: false } }))).toBe("curl 'http://example.com/' --data-raw '@/etc/passwd'");
    const nul = toCurl(exchange({ method: 'POST', body: { bytes: Buffer.from([0x40, 0x2f, 0, 0x78]), size: 4, truncated: false, decoded: false } }));
    expect(nul).toBe("printf -- '@/\\000x' | curl 'http://example.com/' --data-binary @-");
  });

  it('writes an empty header value as Name; (Name: alone would remove the header)', () => {
    expect(toCurl(exchange({ headers: [['X-Empty', '']] }))).toBe("curl 'http://example.com/' -H 'X-Empty;'");
  });

  it('skips (and counts) exchanges whose URL, method or headers cannot be replayed safely', () => {
    const bad = [
      exchange({ url: '-o/tmp/x' }),
      exchange({ url: 'file:///etc/passwd' }),
      exchange({ url: 'http://e.com/a\nb' }),
      exchange({ method: 'GET -o x' }),
      exchange({ headers: [['X-A', 'a\r\nX-B: b']] }),
      exchange({ headers: [['@/etc/passwd', 'x']] }),
    ];
    const { text, skipped } = toCurlScript([exchange({}), ...bad]);
    expect(skipped).toBe(bad.length);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe("curl 'http://example.com/'");
    expect(lines.slice(1).every((line) => line.startsWith('# #7: skipped'))).toBe(true);
  });
});
