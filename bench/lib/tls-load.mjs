// HTTPS load from this process with Node's TLS client, the same for every target: keep-alive GETs
// on N connections, and new host names (a new TCP connection, CONNECT when proxied, a TLS
// handshake with the name as SNI, one GET). wrk and autocannon cannot speak CONNECT. Clients verify
// certificates: the origin's directly, the proxy's CA through a proxy.
// A target is { originPort, proxyPort?, ca }: with proxyPort, the TLS session runs inside a CONNECT
// tunnel to `name:originPort` on the proxy at 127.0.0.1:proxyPort.
import net from 'node:net';
import tls from 'node:tls';

/** How long one connection may take to open or answer before it counts as an error. */
const STALL_MS = 30_000;

/** A verified TLS connection to the origin as `name`, directly or through a CONNECT tunnel, offering `alpn`. */
export function openTls(target, name, alpn = ['http/1.1']) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no TLS session with ${name} within ${STALL_MS} ms`)), STALL_MS);
    let raw;
    const fail = (error) => {
      clearTimeout(timer);
      raw?.destroy();
      reject(error);
    };
    const handshake = (socket) => {
      const secure = tls.connect({ socket, servername: name, ca: target.ca, ALPNProtocols: alpn });
      secure.once('secureConnect', () => {
        clearTimeout(timer);
        resolve(secure);
      });
      secure.once('error', fail);
    };
    if (!target.proxyPort) {
      raw = net.connect(target.originPort, '127.0.0.1');
      raw.once('error', fail);
      handshake(raw);
      return;
    }
    raw = net.connect(target.proxyPort, '127.0.0.1');
    raw.setNoDelay(true);
    raw.once('error', fail);
    raw.write(`CONNECT ${name}:${target.originPort} HTTP/1.1\r\nHost: ${name}:${target.originPort}\r\n\r\n`);
    let head = '';
    const onData = (chunk) => {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      raw.off('data', onData);
      if (!/^HTTP\/1\.[01] 200/.test(head)) return fail(new Error(`CONNECT answered ${head.split('\r\n')[0]}`));
      // Whatever came after the CONNECT answer belongs to the TLS session.
      const rest = Buffer.from(head.slice(end + 4), 'latin1');
      raw.pause();
      if (rest.length) raw.unshift(rest);
      handshake(raw);
    };
    raw.on('data', onData);
  });
}

/** Length of the first complete HTTP response in `buffer`, or -1. Only what the origin sends: Content-Length or chunked. */
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

/** Sends GETs one after another on `socket` until `deadline` (at least one); records each latency. Resolves with the error count. */
function getLoop(socket, host, deadline, latencies) {
  return new Promise((resolve) => {
    const request = Buffer.from(`GET / HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
    let buffer = Buffer.alloc(0);
    let sentAt = 0;
    let settled = false;
    const finish = (errors) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(errors);
    };
    const send = () => {
      sentAt = performance.now();
      socket.write(request);
    };
    socket.setTimeout(STALL_MS, () => finish(1));
    socket.on('data', (chunk) => {
      buffer = buffer.length ? Buffer.concat([buffer, chunk]) : chunk;
      let length;
      try {
        while ((length = responseLength(buffer)) > 0) {
          buffer = buffer.subarray(length);
          latencies.push(performance.now() - sentAt);
          if (performance.now() >= deadline) return finish(0);
          send();
        }
      } catch {
        finish(1);
      }
    });
    socket.on('error', () => finish(1));
    socket.on('close', () => finish(1));
    send();
  });
}

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;

/** Keep-alive 1 KiB GETs on `connections` TLS connections for `seconds`: { rps, requests, p50, p99, errors }. */
export async function tlsKeepAlive(target, { connections, seconds, name = 'localhost' }) {
  const opened = await Promise.allSettled(Array.from({ length: connections }, () => openTls(target, name)));
  const sockets = opened.filter((result) => result.status === 'fulfilled').map((result) => result.value);
  const latencies = [];
  const started = performance.now();
  // Host names the port, as clients do for a non-default one (some proxies route by Host alone).
  const host = `${name}:${target.originPort}`;
  const errors = await Promise.all(sockets.map((socket) => getLoop(socket, host, started + seconds * 1000, latencies)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsed,
    requests: latencies.length,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    errors: errors.reduce((a, b) => a + b, 0) + (connections - sockets.length),
  };
}

/**
 * `names.length` new connections, `concurrency` at a time, each TLS plus one GET; no new name is
 * started after `limitSeconds` (a slow proxy is measured on the names it finished).
 * Resolves with { rate (hosts/s), done, p50, p99, errors }.
 */
export async function newHosts(target, names, { concurrency, limitSeconds = Infinity }) {
  let next = 0;
  let errors = 0;
  const latencies = [];
  const started = performance.now();
  const deadline = started + limitSeconds * 1000;
  const worker = async () => {
    while (next < names.length && performance.now() < deadline) {
      const name = names[next++];
      const began = performance.now();
      try {
        const socket = await openTls(target, name);
        if ((await getLoop(socket, `${name}:${target.originPort}`, 0, [])) > 0) throw new Error('GET failed');
        latencies.push(performance.now() - began);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { rate: latencies.length / elapsed, done: latencies.length, requests: latencies.length, p50: percentile(latencies, 50), p99: percentile(latencies, 99), errors };
}
