import net from 'node:net';
import { setImmediate as tick } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Exchange } from '../../src/index.js';
import { collectExchanges, startProxy, type ExchangeCollector, type TestProxy } from '../../src/testing/index.js';
import { parseMessages, Rand, withoutHopByHop, type Headers, type Message } from './fuzz-wire.js';
import { expectWhole } from './health.js';

/**
 * The differential fuzzer (issue 20 item 3). Seeded mutations of valid requests are written raw
 * to the proxy (odd but legal header bytes, chunk sizes and extensions, bare LF, methods,
 * absolute URLs with odd authorities, pipelining, byte-at-a-time and random split writes), and a
 * raw origin answers mutated valid responses while logging the bytes it received. For every
 * request: the proxy refused it cleanly (a 4xx/5xx, or a closed connection for garbage), or the
 * origin got exactly what the client sent (modulo hop-by-hop headers and Host) and the client
 * exactly what the origin answered, and the exchange handed to `onExchange` holds both.
 *
 * `CAPTURE_FUZZ_SEED` and `CAPTURE_FUZZ_CASES` override the seed and the case count (the release
 * long run: `CAPTURE_FUZZ_CASES=200000`). A failure names the seed and the case.
 *
 * `CAPTURE_FUZZ_CASE=n` reruns one case; `CAPTURE_FUZZ_DEBUG=1` prints the bytes each side saw.
 *
 * Not fuzzed: trailers, `Expect: 100-continue`, IPv6 authorities (the origin listens on
 * 127.0.0.1 only), `Content-Encoding` (the record decodes bodies; checked elsewhere). Known gaps,
 * each marked where the check allows for it: undici's crash on a paused `Connection: close`
 * response at FIN (nodejs/undici#5360), reason phrases (decoded as UTF-8, and only the last piece
 * kept when split), `chunked<HTAB>`, and a pipelined request Node cannot parse cutting the ones
 * before it. Bugs it found and core fixed: reason phrases beyond ASCII cut the connection
 * (reason-phrase.test.ts), paths normalised on the way upstream and an upper-case scheme served
 * the info page (request-target.test.ts).
 */
const SEED = Number(process.env.CAPTURE_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const CASES = Number(process.env.CAPTURE_FUZZ_CASES ?? 2000);
/** `CAPTURE_FUZZ_CASE=n` runs only case n of the seed, to reproduce a failure. */
const ONLY = process.env.CAPTURE_FUZZ_CASE === undefined ? undefined : Number(process.env.CAPTURE_FUZZ_CASE);
const CONCURRENCY = 4;
const CASE_DEADLINE = 5000;

const TCHAR = "!#$%&'*+-.^_`|~";
const METHODS_WITH_BODY = ['POST', 'PUT', 'PATCH', 'DELETE', 'PROPFIND', 'REPORT', 'SEARCH'];
const METHODS_WITHOUT = ['GET', 'GET', 'GET', 'HEAD', 'OPTIONS', 'MKCOL', 'PURGE', 'LINK', 'UNLOCK'];
const PATHS = [
  '/',
  '/a/b/c',
  '/search?q=1&q=2&empty=&flag',
  '/%7Euser/%2F%2f/x%00y',
  "/odd!$&'()*+,;=:@~-._/chars",
  '/a/../b/./c',
  '//double//slashes',
  '/trailing/?',
  '/semi;param=1/seg?x=a%20b',
  '/UPPER/lower/MiXeD',
  `/long/${'x'.repeat(1500)}`,
];

interface RequestSpec {
  id: string;
  method: string;
  url: string;
  /** As written, before the parser trims OWS; values are latin1 strings. */
  headers: Headers;
  /** What a parser sees: the values without leading and trailing OWS. */
  parsed: Headers;
  body: Buffer;
  wire: Buffer;
  /** Not a valid request: the proxy must refuse it or close. */
  garbage?: string;
  close: boolean;
}

interface ResponseSpec {
  status: number;
  reason: string;
  headers: Headers;
  body: Buffer;
  wire: Buffer;
  /** The origin closes the connection after this response. */
  closes: boolean;
}

function oddName(rand: Rand): string {
  let name = rand.pick(['X-', 'x-', 'X_', 'Fuzz-', '']);
  const alphabet = `abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789${TCHAR}`;
  const length = 1 + rand.int(rand.chance(0.05) ? 200 : 12);
  for (let i = 0; i < length; i++) name += alphabet[rand.int(alphabet.length)];
  return name;
}

function oddValue(rand: Rand): string {
  switch (rand.int(6)) {
    case 0:
      return '';
    case 1: {
      // Visible ASCII, quotes, commas, backslashes, inner spaces and tabs.
      let value = '';
      for (let i = 0, n = 1 + rand.int(40); i < n; i++) value += String.fromCharCode(rand.chance(0.1) ? rand.pick([0x20, 0x09]) : 0x21 + rand.int(94));
      return value.replace(/^[ \t]+|[ \t]+$/g, '') || 'v';
    }
    case 2: {
      // obs-text: bytes 0x80-0xFF, legal in field values.
      let value = 'obs';
      for (let i = 0, n = 1 + rand.int(10); i < n; i++) value += String.fromCharCode(0x80 + rand.int(128));
      return value;
    }
    case 3:
      return 'a, b ,c;q=0.5, "quoted, \\"string\\""';
    case 4:
      return 'y'.repeat(1 + rand.int(rand.chance(0.1) ? 4000 : 100));
    default:
      return String(rand.int(1_000_000));
  }
}

function ows(rand: Rand): string {
  return rand.pick(['', '', ' ', ' ', '  ', '\t', ' \t ']);
}

function chunked(rand: Rand, body: Buffer, eol: string): Buffer {
  const parts: Buffer[] = [];
  let offset = 0;
  while (offset < body.length) {
    const size = Math.min(body.length - offset, rand.pick([1, 1, 2, 3, 7, 16, 255, 4096]) + rand.int(3));
    let head = size.toString(16);
    if (rand.chance(0.3)) head = head.toUpperCase();
    if (rand.chance(0.2)) head = `000${head}`;
    if (rand.chance(0.2)) head += rand.pick([';ext', ';a=b', ';name="quoted;value"', ';x=1;y=2']);
    parts.push(Buffer.from(`${head}${eol}`, 'latin1'), body.subarray(offset, offset + size), Buffer.from(eol));
    offset += size;
  }
  parts.push(Buffer.from(`0${rand.chance(0.1) ? ';last' : ''}${eol}${eol}`));
  return Buffer.concat(parts);
}

function makeRequest(rand: Rand, id: string, originPort: number, last: boolean): RequestSpec {
  const hasBody = rand.chance(0.45);
  const method = hasBody ? rand.pick(METHODS_WITH_BODY) : rand.pick(METHODS_WITHOUT);
  const authority = rand.pick([
    `127.0.0.1:${originPort}`,
    `127.0.0.1:${originPort}`,
    `localhost:${originPort}`,
    `LocalHost:${originPort}`,
    `127.1:${originPort}`,
    `0x7f.0.0.1:${originPort}`,
    `2130706433:${originPort}`,
    `127.0.0.1:00${originPort}`,
    `user:p%40ss@127.0.0.1:${originPort}`,
  ]);
  const scheme = rand.chance(0.1) ? 'HTTP' : 'http';
  const url = `${scheme}://${authority}${rand.pick(PATHS)}`;
  // Bare LF line endings: RFC 9112 allows a recipient to accept them.
  const eol = rand.chance(0.05) ? '\n' : '\r\n';
  const headers: Headers = [];
  const add = (name: string, value: string) => headers.push([name, value]);
  const hostHeader = rand.int(4);
  if (hostHeader === 0) add('Host', authority.replace(/^.*@/, ''));
  else if (hostHeader === 1) add(rand.pick(['host', 'HOST']), 'other.example:1234');
  add('X-Fuzz-Case', id);
  for (let i = 0, n = rand.int(rand.chance(0.05) ? 60 : 8); i < n; i++) add(oddName(rand), oddValue(rand));
  if (rand.chance(0.2)) add('X-Repeated', 'one'), add('x-repeated', 'two');
  if (rand.chance(0.15)) add('Proxy-Connection', 'keep-alive');
  if (rand.chance(0.1)) add('Keep-Alive', 'timeout=5');
  if (rand.chance(0.1)) add('TE', 'trailers');
  if (rand.chance(0.1)) add('Proxy-Authorization', 'Basic dXNlcjpwYXNz');
  if (rand.chance(0.15)) add('Connection', 'keep-alive, X-Drop-Me'), add('X-Drop-Me', 'named by Connection');
  const close = last && rand.chance(0.2);
  if (close) add('Connection', 'close');
  const body = hasBody ? rand.bytes(rand.pick([0, 1, 10, 100, 1000, 5000])) : Buffer.alloc(0);
  const chunkedBody = hasBody && rand.chance(0.5);
  if (hasBody && !chunkedBody) add(rand.pick(['Content-Length', 'content-length']), (rand.chance(0.1) ? '00' : '') + String(body.length));
  if (chunkedBody) add(rand.pick(['Transfer-Encoding', 'transfer-encoding']), 'chunked');
  // Shuffle a little: order must be kept whatever it is.
  if (rand.chance(0.3) && headers.length > 2) {
    const i = rand.int(headers.length);
    const j = rand.int(headers.length);
    [headers[i], headers[j]] = [headers[j]!, headers[i]!];
  }
  // Known gap: Node's parser does not take `chunked<HTAB>` as chunked, then fails on the body and
  // the connection is closed without an answer (recorded as CLIENT_ABORTED); no trailing OWS there.
  const spaced: Headers = headers.map(([name, value]) => [name, `${ows(rand)}${value}${value && name.toLowerCase() !== 'transfer-encoding' ? ows(rand) : ''}`]);
  let head = `${method} ${url} HTTP/1.1${eol}`;
  for (const [name, value] of spaced) head += `${name}:${value}${eol}`;
  head += eol;
  let wire: Buffer = Buffer.concat([Buffer.from(head, 'latin1'), chunkedBody ? chunked(rand, body, eol) : body]);
  let garbage: string | undefined;
  if (rand.chance(0.08)) {
    // Garbage: the proxy must refuse or close, never forward something else.
    const kind = rand.int(6);
    const text = wire.toString('latin1');
    if (kind === 0) garbage = 'random bytes', (wire = rand.bytes(1 + rand.int(300)));
    else if (kind === 1) garbage = 'NUL in a header value', (wire = Buffer.from(text.replace('X-Fuzz-Case:', 'X-Nul: a\0b\r\nX-Fuzz-Case:'), 'latin1'));
    else if (kind === 2) garbage = 'space before colon', (wire = Buffer.from(text.replace('X-Fuzz-Case:', 'X-Bad :x\r\nX-Fuzz-Case:'), 'latin1'));
    else if (kind === 3) garbage = 'both framings', (wire = Buffer.from(text.replace('X-Fuzz-Case:', 'Content-Length: 3\r\nTransfer-Encoding: chunked\r\nX-Fuzz-Case:'), 'latin1'));
    else if (kind === 4) garbage = 'control byte in the name', (wire = Buffer.from(text.replace('X-Fuzz-Case:', 'X-\x01: y\r\nX-Fuzz-Case:'), 'latin1'));
    else garbage = 'bad chunk size', (wire = Buffer.from(`POST ${url} HTTP/1.1\r\nX-Fuzz-Case: ${id}\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`, 'latin1'));
  }
  const parsed: Headers = headers.map(([name, value]) => [name, value]);
  return { id, method, url, headers: spaced, parsed, body, wire, close, ...(garbage ? { garbage } : {}) };
}

function makeResponse(rand: Rand, id: string, method: string): ResponseSpec {
  const status = rand.pick([200, 200, 200, 201, 202, 203, 204, 206, 299, 301, 304, 400, 404, 418, 500, 503, 599]);
  // Reasons as latin1 strings (one character per byte): UTF-8 bytes, and obs-text that is not UTF-8.
  const reason = rand.pick(['OK', 'Fine', '', 'Odd\tReason With  Spaces', 'obs \xe9\xff', 'caf\xc3\xa9', 'Whatever!']);
  const headers: Headers = [['Date', 'Tue, 01 Dec 2026 00:00:00 GMT'], ['X-Fuzz-Case', id]];
  for (let i = 0, n = rand.int(rand.chance(0.05) ? 60 : 6); i < n; i++) headers.push([oddName(rand), oddValue(rand)]);
  if (rand.chance(0.3)) headers.push(['Set-Cookie', 'a=1; Path=/'], ['Set-Cookie', 'b=2; HttpOnly']);
  if (rand.chance(0.1)) headers.push(['Keep-Alive', 'timeout=5']);
  const noBody = status === 204 || status === 304 || method === 'HEAD';
  const body = noBody ? Buffer.alloc(0) : rand.bytes(rand.pick([0, 1, 5, 100, 2000, 20_000]));
  // Close-delimited bodies of every size: undici 7.30.2's crash when such a response was paused
  // for backpressure as the FIN arrived (nodejs/undici#5360) is patched (patches/undici@7.30.2.patch).
  const framing = noBody ? 'none' : rand.pick(['length', 'length', 'chunked', 'close']);
  if (framing === 'length') headers.push([rand.pick(['Content-Length', 'content-length']), String(body.length)]);
  if (method === 'HEAD' && status !== 204 && status !== 304 && rand.chance(0.5)) headers.push(['Content-Length', String(rand.int(5000))]);
  if (framing === 'chunked') headers.push(['Transfer-Encoding', 'chunked']);
  if (framing === 'close') headers.push(['Connection', 'close']);
  let head = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const [name, value] of headers) head += `${name}:${ows(rand)}${value}\r\n`;
  head += '\r\n';
  const wire = Buffer.concat([Buffer.from(head, 'latin1'), framing === 'chunked' ? chunked(rand, body, '\r\n') : body]);
  return { status, reason, headers, body, wire, closes: framing === 'close' };
}

/** Writes `data` whole, in random pieces, or a byte at a time, yielding between writes. */
async function writeSplit(rand: Rand, socket: net.Socket, data: Buffer): Promise<void> {
  const mode = rand.int(10);
  if (mode < 5) return void socket.write(data);
  const step = mode < 9 || data.length > 2000 ? () => 1 + rand.int(Math.max(1, data.length / 3)) : () => 1;
  for (let offset = 0; offset < data.length && !socket.destroyed; ) {
    const size = step();
    socket.write(data.subarray(offset, offset + size));
    offset += size;
    await tick();
  }
}

let proxy: TestProxy;
let exchanges: ExchangeCollector;
let originServer: net.Server;
let originPort: number;
const originSaw = new Map<string, Message>();
const responses = new Map<string, ResponseSpec>();
const originSockets = new Set<net.Socket>();

beforeAll(async () => {
  originServer = net.createServer((socket) => {
    originSockets.add(socket);
    socket.on('close', () => originSockets.delete(socket));
    socket.on('error', () => undefined);
    let buffer: Buffer = Buffer.alloc(0);
    let writing = Promise.resolve();
    const rand = new Rand(SEED ^ 0x5eed);
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      const { messages, rest } = parseMessages(buffer, 'request');
      buffer = rest;
      for (const message of messages) {
        const id = message.headers.find(([name]) => name.toLowerCase() === 'x-fuzz-case')?.[1] ?? '?';
        originSaw.set(id, message);
        if (process.env.CAPTURE_FUZZ_DEBUG) console.log('origin got', id, JSON.stringify(message.raw.toString('latin1').slice(0, 300)));
        const response = responses.get(id);
        writing = writing.then(async () => {
          if (!response) return void socket.destroy();
          if (process.env.CAPTURE_FUZZ_DEBUG) console.log('origin answers', id, JSON.stringify(response.wire.toString('latin1').slice(0, 200)));
          await writeSplit(rand, socket, response.wire);
          if (response.closes) socket.end();
        });
      }
    });
  });
  await new Promise<void>((resolve) => originServer.listen(0, '127.0.0.1', resolve));
  originPort = (originServer.address() as net.AddressInfo).port;
  proxy = await startProxy({ upstreamTimeout: 3000, headersTimeout: 3000 });
  exchanges = collectExchanges(proxy.proxy);
  if (process.env.CAPTURE_FUZZ_DEBUG) proxy.proxy.hooks.onError.tap('fuzz-debug', (error: unknown) => console.log('onError', error));
});

afterAll(async () => {
  await proxy?.close();
  for (const socket of originSockets) socket.destroy();
  await new Promise((resolve) => originServer?.close(resolve));
});

/** The recorded exchange for a request, by its X-Fuzz-Case header. */
function recordOf(id: string): Exchange | undefined {
  return exchanges.all.find((exchange) => exchange.request.headers.some(([name, value]) => name === 'X-Fuzz-Case' && value === id));
}

function same(a: Buffer | undefined, b: Buffer): boolean {
  return (a ?? Buffer.alloc(0)).equals(b);
}

/** The path the origin must see: the request-target's path and query as the client wrote them. */
function expectedPath(url: string): string {
  const rest = url.slice(url.indexOf('://') + 3);
  const slash = rest.search(/[/?]/);
  const path = slash < 0 ? '/' : rest.slice(slash);
  return path.startsWith('?') ? `/${path}` : path;
}

const stats = { cutByLater: 0, cases: 0, requests: 0, forwarded: 0, refused: 0, closed: 0, garbage: 0, pipelined: 0 };

async function runCase(n: number): Promise<void> {
  const rand = new Rand(SEED + n * 7919);
  const count = rand.chance(0.2) ? 2 + rand.int(2) : 1;
  if (count > 1) stats.pipelined++;
  const specs: RequestSpec[] = [];
  for (let k = 0; k < count; k++) {
    const spec = makeRequest(rand, `${n}.${k}`, originPort, k === count - 1);
    specs.push(spec);
    responses.set(spec.id, makeResponse(rand, spec.id, spec.method));
  }
  const where = `seed ${SEED} case ${n}`;
  const socket = net.connect(proxy.port, '127.0.0.1');
  socket.on('error', () => undefined);
  let received: Buffer = Buffer.alloc(0);
  let ended = false;
  const bodyless = (_start: string, index: number) => specs[index]?.method === 'HEAD';
  const outcome = new Promise<Message[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${where}: no answer within ${CASE_DEADLINE} ms (the proxy hangs)`)), CASE_DEADLINE);
    const check = () => {
      const { messages } = parseMessages(received, 'response', bodyless, ended);
      if (messages.length >= specs.length || ended) {
        clearTimeout(timer);
        resolve(messages);
      }
    };
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      check();
    });
    socket.on('close', () => {
      ended = true;
      check();
    });
  });
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()).once('error', () => resolve()));
  if (process.env.CAPTURE_FUZZ_DEBUG) console.log('client sends', Buffer.concat(specs.map((spec) => spec.wire)).toString('base64'));
  await writeSplit(rand, socket, Buffer.concat(specs.map((spec) => spec.wire)));
  const answers = await outcome;
  socket.end();
  socket.destroy();
  stats.cases++;
  let cut = false;
  for (const [k, spec] of specs.entries()) {
    stats.requests++;
    const answer = answers[k];
    const seen = originSaw.get(spec.id);
    const what = `${where} request ${k} (${spec.garbage ?? `${spec.method} ${spec.url.slice(0, 80)}`})`;
    if (spec.garbage) {
      stats.garbage++;
      if (answer) expect(Number(answer.start.split(' ')[1]), what).toBeGreaterThanOrEqual(400);
      if (seen) expect(seen.body.length, `${what}: garbage was forwarded`).toBe(-1);
      cut = true;
      continue;
    }
    // Known gap: a later pipelined request Node cannot parse (garbage, or legal bytes its parser
    // refuses, e.g. a tab after a Content-Length value) cuts the connection while this one is in
    // flight (router.ts, clientError), so it goes unanswered, recorded as CLIENT_ABORTED or, when
    // its response was already in the socket's buffer, as complete.
    const cutLater = specs.slice(k + 1).some((later) => !originSaw.has(later.id));
    if (!answer && cutLater && !cut) {
      const record = await vi.waitFor(() => recordOf(spec.id) ?? Promise.reject(new Error(`${what}: not recorded`)), { timeout: 3000, interval: 10 });
      // The cut may also drop a response already written whole into the socket's buffer.
      expect([undefined, 'CLIENT_ABORTED'], what).toContain(record.error?.code);
      stats.cutByLater++;
      cut = true;
      continue;
    }
    if (!answer) {
      // Only after a refusal or a `Connection: close` may the rest of a pipeline go unanswered.
      expect(cut, `${what}: the connection closed without an answer; sent ${JSON.stringify(spec.wire.toString('latin1').slice(0, 600))}, got ${JSON.stringify(received.toString('latin1').slice(0, 600))}`).toBe(true);
      stats.closed++;
      continue;
    }
    const status = Number(answer.start.split(' ')[1]);
    if (!seen) {
      expect(status, `${what}: not forwarded, so it must be refused`).toBeGreaterThanOrEqual(400);
      stats.refused++;
      cut = true;
      continue;
    }
    stats.forwarded++;
    if (spec.close) cut = true;
    // What reached the origin is what the client sent, modulo hop-by-hop headers and Host.
    const [method, target] = seen.start.split(' ');
    expect(method, what).toBe(spec.method);
    expect(target, `${what}: path`).toBe(expectedPath(spec.url));
    const hosts = seen.headers.filter(([name]) => name.toLowerCase() === 'host');
    expect(hosts.map(([, value]) => value), `${what}: Host`).toEqual([new URL(spec.url).host]);
    // The HTTP client writes the framing header itself, last, as `content-length: <number>`, and
    // may send a chunked body with a length: the framing is compared apart from the other headers,
    // whose order, spelling and values must be kept (the record keeps the client's framing).
    const isLength = ([name]: [string, string]) => name.toLowerCase() === 'content-length';
    const forwardView = (headers: Headers): Headers => withoutHopByHop(headers).filter((header) => header[0].toLowerCase() !== 'host' && !isLength(header));
    expect(forwardView(seen.headers), `${what}: headers`).toEqual(forwardView(spec.parsed));
    // `Content-Length: 0` says no body, as its absence does: it may go upstream or not.
    const sentLength = spec.parsed.find(isLength);
    if (sentLength && Number(sentLength[1]) > 0) expect(seen.headers.filter(isLength).map(([, value]) => Number(value)), `${what}: length`).toEqual([Number(sentLength[1])]);
    expect(seen.body.equals(spec.body), `${what}: body (${seen.body.length} of ${spec.body.length} bytes)`).toBe(true);
    // What came back is what the origin answered.
    const response = responses.get(spec.id)!;
    // Known gap: the HTTP client (undici) decodes reason phrases as UTF-8, so bytes that are not
    // UTF-8 arrive as U+FFFD; capture forwards and records its bytes (see reason-phrase.test.ts).
    const reason = Buffer.from(Buffer.from(response.reason, 'latin1').toString('utf8'), 'utf8').toString('latin1');
    // Known gap: undici keeps only the last piece of a reason phrase that arrives split across
    // reads (its on_status callback overwrites); the phrase carries no meaning, but the record and
    // the client see that piece, so check it is the end of what was sent, and the same in both.
    const statusLine = `HTTP/1.1 ${response.status} `;
    // (A piece of a non-UTF-8 phrase decodes to other U+FFFDs than the whole: only the status then.)
    const ascii = !/[^\x20-\x7e\t]/.test(response.reason);
    expect(answer.start.startsWith(statusLine) && (!ascii || reason.endsWith(answer.start.slice(statusLine.length))), `${what}: status line ${JSON.stringify(answer.start)}`).toBe(true);
    const forwardedReason = answer.start.slice(statusLine.length);
    expect(withoutHopByHop(answer.headers), `${what}: response headers`).toEqual(withoutHopByHop(response.headers));
    expect(answer.body.equals(response.body), `${what}: response body`).toBe(true);
    // And the record holds both.
    const record = await vi.waitFor(() => recordOf(spec.id) ?? Promise.reject(new Error(`${what}: not recorded`)), { timeout: 3000, interval: 10 });
    expect(record.request.method, what).toBe(spec.method);
    // Recorded as the client sent them, less what was meant for capture (documented in exchange.ts).
    const meantForCapture = new Set(['proxy-authorization', 'proxy-connection']);
    expect(record.request.headers, `${what}: recorded request headers`).toEqual(spec.parsed.filter(([name]) => !meantForCapture.has(name.toLowerCase())));
    expect(record.request.url, `${what}: recorded URL`).toBe(spec.url.replace(/^HTTP:/, 'http:'));
    if (!record.request.body?.truncated) expect(same(record.request.body?.bytes, spec.body), `${what}: recorded request body`).toBe(true);
    expect(record.response?.statusCode, what).toBe(response.status);
    expect(record.response?.statusMessage, what).toBe(forwardedReason);
    expect(record.response?.headers, `${what}: recorded response headers`).toEqual(response.headers);
    if (!record.response?.body?.truncated) expect(same(record.response?.body?.bytes, response.body), `${what}: recorded response body`).toBe(true);
  }
}

describe('differential fuzzer', () => {
  it(`${CASES} mutated requests and responses: refused cleanly or forwarded and recorded exactly`, async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      if (ONLY !== undefined) return void (next++ === 0 && (await runCase(ONLY)));
      while (next < CASES) await runCase(next++);
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } catch (error) {
      console.error(`fuzzer failed: CAPTURE_FUZZ_SEED=${SEED} (cases ${CASES})`);
      throw error;
    }
    // Every record handed to plugins is whole, and the proxy lets go of every socket.
    exchanges.all.forEach(expectWhole);
    await vi.waitFor(() => expect(proxy.proxy.openConnections).toBe(0), { timeout: 10_000, interval: 50 });
    exchanges.all.length = 0;
    originSaw.clear();
    responses.clear();
    global.gc?.();
    const growth = process.memoryUsage().heapUsed - heapBefore;
    expect(growth, 'heap growth').toBeLessThan(150 * 1024 * 1024);
    console.log(`fuzzer: seed ${SEED}, ${stats.cases} cases, ${stats.requests} requests (${stats.pipelined} pipelines): ${stats.forwarded} forwarded and recorded exactly, ${stats.refused} refused, ${stats.garbage} garbage, ${stats.closed} unanswered after a close, ${stats.cutByLater} cut by a later unparsable one; ${Date.now() - started} ms`);
    if (ONLY === undefined) expect(stats.forwarded).toBeGreaterThan(CASES / 2);
  }, 120_000);
});
