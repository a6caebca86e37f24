// HTTP/2 load from this process with Node's http2 client, the same for every target: `sessions`
// TLS connections (through CONNECT when proxied) that must negotiate h2 by ALPN, each carrying
// `streams` concurrent GET streams one after another until the deadline. A proxy that answers
// HTTP/1.1 counts as an error rather than being measured on another protocol.
import http2 from 'node:http2';
import { openTls } from './tls-load.mjs';

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/** An h2 session on a verified TLS connection to `name`; rejects when h2 was not negotiated. */
async function openSession(target, name) {
  const socket = await openTls(target, name, ['h2']);
  if (socket.alpnProtocol !== 'h2') {
    socket.destroy();
    throw new Error(`ALPN chose ${socket.alpnProtocol || 'nothing'}, not h2`);
  }
  const session = http2.connect(`https://${name}:${target.originPort}`, { createConnection: () => socket });
  session.on('error', () => {});
  return session;
}

/** One GET on `session`: resolves true with a 200 and the 1 KiB body, false otherwise. */
function get(session) {
  return new Promise((resolve) => {
    let stream;
    try {
      stream = session.request({ ':method': 'GET', ':path': '/' });
    } catch {
      return resolve(false);
    }
    let status = 0;
    let bytes = 0;
    stream.setTimeout(30_000, () => stream.close(http2.constants.NGHTTP2_CANCEL));
    stream.on('response', (headers) => (status = headers[':status']));
    stream.on('data', (chunk) => (bytes += chunk.length));
    stream.on('end', () => resolve(status === 200 && bytes === 1024));
    stream.on('error', () => resolve(false));
    stream.on('close', () => resolve(false));
  });
}

/** `streams` concurrent GETs on each of `sessions` h2 sessions for `seconds`: { rps, requests, p50, p99, errors }. */
export async function h2KeepAlive(target, { sessions, streams, seconds, name }) {
  const opened = await Promise.allSettled(Array.from({ length: sessions }, () => openSession(target, name)));
  const live = opened.filter((result) => result.status === 'fulfilled').map((result) => result.value);
  const failure = opened.find((result) => result.status === 'rejected');
  const latencies = [];
  let errors = (sessions - live.length) * streams;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async (session) => {
    while (performance.now() < deadline && !session.destroyed) {
      const sentAt = performance.now();
      if (await get(session)) latencies.push(performance.now() - sentAt);
      else if (++errors > 1000) return;
    }
  };
  await Promise.all(live.flatMap((session) => Array.from({ length: streams }, () => loop(session))));
  const elapsed = (performance.now() - started) / 1000;
  await Promise.all(live.map((session) => new Promise((resolve) => (session.destroyed ? resolve() : session.close(resolve)))));
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsed,
    requests: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors,
    failure: failure?.reason?.message,
  };
}
