import type { StoredExchange } from '@capture/core';

/** Request headers a replayed request leaves to curl or must not send. */
const LEFT_TO_CURL = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'content-length']);

/**
 * One curl command that sends the request again (for bash and zsh: values with control
 * characters or binary bytes use `$'…'` quoting so every command stays on one line). A truncated
 * body is preceded by a comment line saying so.
 */
export function toCurl(exchange: StoredExchange): string {
  const { request } = exchange;
  const args = ['curl'];
  const hasBody = Boolean(request.body);
  if (request.method === 'HEAD') args.push('--head');
  else if (!(request.method === 'GET' && !hasBody) && !(request.method === 'POST' && hasBody)) args.push('-X', quote(request.method));
  if (request.httpVersion === '1.0') args.push('--http1.0');
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
    args.push('-H', quote(`${name}: ${value}`));
  }
  if (request.body) args.push('--data-binary', dataArgument(request.body.bytes));
  const command = args.join(' ');
  if (request.body?.truncated) return `# #${exchange.id}: request body truncated (${request.body.bytes.length} of ${request.body.size} bytes captured)\n${command}`;
  return command;
}

/**
 * The `--data-binary` value for a body. Shell arguments cannot hold NUL bytes, so a body with
 * any is fed from `printf` through bash's process substitution; others are quoted inline.
 */
export function dataArgument(bytes: Uint8Array): string {
  if (!bytes.includes(0)) return quoteBytes(bytes);
  let format = '';
  for (const byte of bytes) {
    // printf's format: octal escapes for anything but plain printable ASCII, `%%` for `%`.
    if (byte === 0x25) format += '%%';
    else if (byte >= 0x20 && byte < 0x7f && byte !== 0x27 && byte !== 0x5c) format += String.fromCharCode(byte);
    else format += `\\${byte.toString(8).padStart(3, '0')}`;
  }
  return `@<(printf '${format}')`;
}

/** Quotes text for a POSIX shell: single quotes when it has no control characters, else `$'…'`. */
export function quote(text: string): string {
  return quoteBytes(Buffer.from(text, 'utf8'));
}

/** Quotes bytes for bash/zsh; bytes that are not printable ASCII or UTF-8 text are written as `\xHH`. */
export function quoteBytes(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  // eslint-disable-next-line no-control-regex
  const plain = !/[\u0000-\u001f\u007f\ufffd]/.test(text);
  if (plain) return `'${text.replace(/'/g, `'\\''`)}'`;
  let out = "$'";
  for (const byte of bytes) {
    if (byte === 0x5c) out += '\\\\';
    else if (byte === 0x27) out += "\\'";
    else if (byte === 0x0a) out += '\\n';
    else if (byte === 0x0d) out += '\\r';
    else if (byte === 0x09) out += '\\t';
    else if (byte >= 0x20 && byte < 0x7f) out += String.fromCharCode(byte);
    else out += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return `${out}'`;
}
