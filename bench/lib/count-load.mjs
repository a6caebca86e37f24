// A fixed number of plain-HTTP keep-alive GETs through a proxy (absolute URLs, as any client
// configured with an HTTP proxy sends them), on N connections, one request in flight on each,
// for the long-session benchmark (bench/long.mjs). Request i goes to the URL `url(i)` returns,
// with that URL's host as Host, so a run can plant rare words and hosts to search for later.
// Bounded: it stops after `count` answers, or when every connection has failed.
import net from 'node:net';

/** How long one connection may wait for an answer before it counts as failed. */
const STALL_MS = 30_000;

/** Length of the first complete response in `buffer` (Content-Length or chunked), or -1. */
function responseLength(buffer) {
  const headEnd = buffer.indexOf('\r\n\r\n');
  if (headEnd < 0) return -1;
  const head = buffer.toString('latin1', 0, headEnd);
  if (!head.startsWith('HTTP/1.1 200')) throw new Error(`unexpected response: ${head.split('\r\n')[0]}`);
  const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (length) {
    const total = headEnd + 4 + Number(length[1]);
    return buffer.length >= total ? total : -1;
  }
  const last = buffer.indexOf('\r\n0\r\n\r\n', headEnd);
  return last < 0 ? -1 : last + 7;
}

/**
 * Sends `count` GETs through the proxy at 127.0.0.1:`proxyPort` on `connections` connections.
 * `onProgress(done)` is called after every answer. Resolves with { done, errors, seconds }.
 */
export async function countedLoad({ proxyPort, count, connections, url, onProgress = () => {} }) {
  let next = 0;
  let done = 0;
  let errors = 0;
  const started = performance.now();
  const connection = () =>
    new Promise((resolve) => {
      const socket = net.connect(proxyPort, '127.0.0.1');
      socket.setNoDelay(true);
      let buffer = Buffer.alloc(0);
      let settled = false;
      const finish = (failed) => {
        if (settled) return;
        settled = true;
        if (failed) errors++;
        socket.destroy();
        resolve();
      };
      const send = () => {
        if (next >= count) return finish(false);
        const target = new URL(url(next++));
        socket.write(`GET ${target.href} HTTP/1.1\r\nHost: ${target.host}\r\nUser-Agent: capture-bench-long\r\n\r\n`);
      };
      socket.setTimeout(STALL_MS, () => finish(true));
      socket.on('connect', send);
      socket.on('data', (chunk) => {
        buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
        try {
          let length;
          while ((length = responseLength(buffer)) > 0) {
            buffer = buffer.subarray(length);
            onProgress(++done);
            send();
          }
        } catch {
          finish(true);
        }
      });
      socket.on('error', () => finish(true));
      socket.on('close', () => finish(true));
    });
  // A failed connection is replaced while requests remain, at most `connections` times over.
  let replacements = connections;
  const worker = async () => {
    await connection();
    while (next < count && replacements-- > 0) await connection();
  };
  await Promise.all(Array.from({ length: connections }, worker));
  return { done, errors, seconds: (performance.now() - started) / 1000 };
}
