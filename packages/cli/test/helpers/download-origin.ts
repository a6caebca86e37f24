import type http from 'node:http';

/** One piece of a streamed download body. */
const PIECE = Buffer.alloc(64 * 1024, 'x');

/**
 * A request handler that answers every request with an `application/octet-stream` body of
 * `bytesFor(url)` bytes (a multiple of 64 KiB), streamed piece by piece and honouring
 * backpressure, as a file server does. For `http.createServer` or `https.createServer`.
 */
export function streamDownload(bytesFor: (url: string) => number): http.RequestListener {
  return (req, res) => {
    req.resume();
    const bytes = bytesFor(req.url ?? '/');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes });
    let sent = 0;
    const pump = () => {
      while (sent < bytes) {
        sent += PIECE.length;
        if (!res.write(PIECE)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
  };
}
