// The comparison's origin (bench/run.mjs): one HTTP and one HTTPS server in this process, with the
// certificate files given as arguments (valid for localhost, *.bench.test and 127.0.0.1).
// `GET /` answers 1 KiB, keep-alive; `GET /download/<bytes>` streams that many bytes from one
// reused 64 KiB buffer, with Content-Length and backpressure, so the origin costs little and
// holds no more than a chunk in memory whatever the size.
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';

const [keyFile, certFile] = process.argv.slice(2);
const small = Buffer.alloc(1024, 'x');
const chunk = Buffer.alloc(64 * 1024, 'y');

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
const secure = https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, handle);
for (const server of [plain, secure]) server.keepAliveTimeout = 60_000;
const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const [httpPort, httpsPort] = await Promise.all([listen(plain), listen(secure)]);
process.send({ httpPort, httpsPort });
process.on('message', (message) => {
  if (message !== 'stop') return;
  let open = 2;
  const done = () => --open === 0 && process.exit(0);
  for (const server of [plain, secure]) {
    server.close(done);
    server.closeAllConnections();
  }
});
