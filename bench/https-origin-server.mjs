// The HTTPS benchmark's origin: answers every request with the same 1 KiB body, keep-alive, over
// TLS with the certificate files given as arguments (valid for localhost, *.bench.test, 127.0.0.1).
import https from 'node:https';
import { readFileSync } from 'node:fs';

const [keyFile, certFile] = process.argv.slice(2);
const body = Buffer.alloc(1024, 'x');
const server = https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
  req.resume();
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': body.length });
  res.end(body);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('message', (message) => {
  if (message === 'stop') server.close(() => process.exit(0));
  server.closeAllConnections();
});
