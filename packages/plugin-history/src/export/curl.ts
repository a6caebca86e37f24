import type { StoredExchange } from '@capture/core';

/** Request headers a replayed request leaves to curl or must not send. */
const LEFT_TO_CURL = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'content-length']);

/** An HTTP token (RFC 9110): what a method or header name may be. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Bytes no URL or header value may carry on replay: controls (but tab in header values), DEL. */
// eslint-disable-next-line no-control-regex
const UNSAFE_URL = /[\u0000-\u0020\u007f]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]/;

/** Why an exchange cannot be exported as curl, or undefined when it can. */
export function curlSkipReason(exchange: StoredExchange): string | undefined {
  const { request } = exchange;
  if (!TOKEN.test(request.method)) return 'method is not an HTTP token';
  if (!/^https?:\/\/[^\s]/i.test(request.url) || UNSAFE_URL.test(request.url)) return 'URL is not an http(s) URL without control characters or spaces';
  for (const [name, value] of request.headers) {
    if (LEFT_TO_CURL.has(name.toLowerCase())) continue;
    if (!TOKEN.test(name)) return 'a header name is not an HTTP token';
    if (UNSAFE_VALUE.test(value)) return `header ${name} has control characters`;
  }
  return undefined;
}

/**
 * One curl command that sends the request again, for bash and zsh. Replaying it never reads a
 * local file and never runs anything but `curl` (and `printf`):
 * - every argument (method, URL, header, body) is quoted so that no captured byte ends it: single
 *   quotes, or `$'…'` when it has control characters or non-UTF-8 bytes, so each command stays on
 *   one line;
 * - a body goes with `--data-raw`, which, unlike `--data-binary`, never reads `@file`; a body with
 *   NUL bytes (which no shell argument can hold) is piped from `printf` into `--data-binary @-`
 *   (standard input, never a file);
 * - the URL is an http(s) URL, method and header names are HTTP tokens, and header values and the
 *   URL carry no control characters; an exchange where that does not hold is not exported but
 *   replaced by a `# #id: skipped …` comment line (see {@link toCurlScript}, which counts them).
 *
 * A truncated body is preceded by a comment line saying so.
 */
export function toCurl(exchange: StoredExchange): string {
  const reason = curlSkipReason(exchange);
  if (reason) return `# #${exchange.id}: skipped, cannot be exported as curl safely (${reason})`;
  const { request } = exchange;
  const args = ['curl'];
  const hasBody = Boolean(request.body);
  if (request.method === 'HEAD') args.push('--head');
  else if (!(request.method === 'GET' && !hasBody) && !(request.method === 'POST' && hasBody)) args.push('-X', quote(request.method));
  if (request.httpVersion === '1.0') args.push('--http1.0');
  // What the client spoke: an h2 request replays as h2 (an origin may answer differently, or only, over h2).
  else if (request.httpVersion === '2' || request.httpVersion === '2.0') args.push('--http2');
  if (/[[\]{}]/.test(request.url)) args.push('--globoff');
  args.push(quote(request.url));
  let authority = '';
  try {
    authority = new URL(request.url).host.toLowerCase();
  } catch {
    // Not a URL: every Host header is kept.
  }
  for (const [name, value] of request.headers) {
    const lower = name.toLowerCase();
    if (LEFT_TO_CURL.has(lower)) continue;
    if (lower === 'host' && value.toLowerCase() === authority) continue;
    if (lower === 'content-encoding' && request.body?.decoded) continue;
    if (lower === 'accept-encoding' && /\b(gzip|deflate|br)\b/.test(value)) {
      // curl then asks for compression itself and decodes the answer, so the output is readable.
      args.push('--compressed');
      continue;
    }
    // `Name:` alone would remove the header; `Name;` is curl's spelling of an empty value.
    args.push('-H', quote(value.trim() === '' ? `${name};` : `${name}: ${value}`));
  }
  let stdin = '';
  if (request.body) {
    const { bytes } = request.body;
    if (bytes.includes(0)) {
      stdin = `${printfCommand(bytes)} | `;
      args.push('--data-binary', '@-');
    } else {
      args.push('--data-raw', quoteBytes(bytes));
    }
  }
  const command = stdin + args.join(' ');
  if (request.body?.truncated) return `# #${exchange.id}: request body truncated (${request.body.bytes.length} of ${request.body.size} bytes captured)\n${command}`;
  return command;
}

/** Every exchange as a curl command line, and how many were skipped (as comment lines) because they could not be exported safely. */
export function toCurlScript(exchanges: Iterable<StoredExchange>): { text: string; skipped: number } {
  let text = '';
  let skipped = 0;
  for (const exchange of exchanges) {
    if (curlSkipReason(exchange)) skipped += 1;
    text += `${toCurl(exchange)}\n`;
  }
  return { text, skipped };
}

/**
 * A `printf` command that writes exactly `bytes` (NULs included) to standard output: its format
 * holds only printable ASCII other than `'` and `\`, with octal escapes for every other byte and
 * `%%` for `%`, inside single quotes.
 */
export function printfCommand(bytes: Uint8Array): string {
  let format = '';
  for (const byte of bytes) {
    if (byte === 0x25) format += '%%';
    else if (byte >= 0x20 && byte < 0x7f && byte !== 0x27 && byte !== 0x5c) format += String.fromCharCode(byte);
    else format += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `printf -- '${format}'`;
}

/** Quotes text for a POSIX shell: single quotes when it has no control characters, else `$'…'`. */
export function quote(text: string): string {
  return quoteBytes(Buffer.from(text, 'utf8'));
}

/**
 * Quotes bytes (without NUL) for bash/zsh: plain UTF-8 text in single quotes (`'` as `'\''`);
 * anything else in `$'…'` with every byte that is not printable ASCII, and `!`, `'` and `\`,
 * escaped.
 */
export function quoteBytes(bytes: Uint8Array): string {
  if (bytes.includes(0)) throw new RangeError('a shell argument cannot hold a NUL byte');
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // eslint-disable-next-line no-control-regex
  const plain = !/[\u0000-\u001f\u007f-\u009f\ufffd\u2028\u2029]/.test(text);
  if (plain) return `'${text.replace(/'/g, `'\\''`)}'`;
  let out = "$'";
  for (const byte of bytes) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x27) out += "\\'";
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte >= 0x20 && byte < 0x7f && byte !== 0x21) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}
