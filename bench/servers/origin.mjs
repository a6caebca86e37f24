// The comparison's origin (bench/run.mjs): one HTTP, one HTTPS, one HTTP/2 (TLS, h2 only) and one
// gRPC (TLS) server in this process, with the certificate files given as arguments (valid for
// localhost, *.bench.test and 127.0.0.1).
// `GET /` answers 1 KiB, keep-alive; `GET /download/<bytes>` streams that many bytes from one
// reused 64 KiB buffer, with Content-Length and backpressure, so the origin costs little and
// holds no more than a chunk in memory whatever the size. The h2 server answers every stream 1 KiB;
// the gRPC server's one unary method (bench/lib/grpc-load.mjs) answers a 1 KiB message.
import http from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { startGrpcOrigin } from '../lib/grpc-load.mjs';

const [keyFile, certFile] = process.argv.slice(2);
const small = Buffer.alloc(1024, 'x');
const chunk = Buffer.alloc(64 * 1024, 'y');
const key = readFileSync(keyFile);
const cert = readFileSync(certFile);

function stream(res, total) {
  let left = total;
  const pump = () => {
    while (left > 0) {
      const size = Math.min(left, chunk.length);
      left -= size;
      if (!res.write(size === chunk.length ? chunk : chunk.subarray(0, size))) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

function handle(req, res) {
  req.resume();
  const download = /^\/download\/(\d+)$/.exec(req.url);
  if (download) {
    const total = Number(download[1]);
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': total });
    stream(res, total);
    return;
  }
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': small.length });
  res.end(small);
}

const plain = http.createServer(handle);
const secure = https.createServer({ key, cert }, handle);
for (const server of [plain, secure]) server.keepAliveTimeout = 60_000;
// h2 only (no HTTP/1.1 fallback): a proxy that cannot speak h2 upstream fails visibly.
const h2 = http2.createSecureServer({ key, cert, allowHTTP1: false, settings: { maxConcurrentStreams: 1000 } });
h2.on('stream', (s) => {
  s.on('error', () => {});
  s.resume();
  s.respond({ ':status': 200, 'content-type': 'text/plain', 'content-length': small.length });
  s.end(small);
});
const h2Sessions = new Set();
h2.on('session', (session) => {
  h2Sessions.add(session);
  session.on('close', () => h2Sessions.delete(session));
});
const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const [httpPort, httpsPort, h2Port] = await Promise.all([listen(plain), listen(secure), listen(h2)]);
const grpc = await startGrpcOrigin({ key, cert });
process.send({ httpPort, httpsPort, h2Port, grpcPort: grpc.port });
process.on('message', (message) => {
  if (message !== 'stop') return;
  let open = 4;
  const done = () => --open === 0 && process.exit(0);
  for (const server of [plain, secure]) {
    server.close(done);
    server.closeAllConnections();
  }
  h2.close(done);
  for (const session of h2Sessions) session.destroy();
  grpc.stop().then(done);
});
