import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/** A local HTTPS origin for localhost with a self-signed certificate. */
export interface HttpsOrigin {
  readonly port: number;
  /** The origin's certificate (PEM file): capture trusts it through `NODE_EXTRA_CA_CERTS`. */
  readonly certFile: string;
  close(): Promise<void>;
}

const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/**
 * Starts the origin on 127.0.0.1:0 (certificate made with the openssl command in `dir`). `/page`
 * is HTML with a stylesheet, a script and an image; anything else answers `origin saw <path>`.
 */
export async function startHttpsOrigin(dir: string): Promise<HttpsOrigin> {
  const keyFile = path.join(dir, 'origin-key.pem');
  const certFile = path.join(dir, 'origin.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-days', '2'], { stdio: 'ignore' });
  const server = https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
    req.resume();
    const send = (type: string, body: string | Buffer) => {
      res.setHeader('content-type', type);
      res.end(body);
    };
    if (req.url === '/page') return send('text/html', '<html><head><link rel="stylesheet" href="/style.css"><script src="/app.js"></script></head><body><img src="/pixel.png">page body</body></html>');
    if (req.url === '/style.css') return send('text/css', 'body { color: teal }');
    if (req.url === '/app.js') return send('text/javascript', 'document.title = "loaded by script";');
    if (req.url === '/pixel.png' || req.url === '/favicon.ico') return send('image/png', PIXEL);
    send('text/plain', `origin saw ${req.url}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    certFile,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The JSON live-log lines (`--json`) a capture printed. */
export function jsonLog(text: string): Array<{ url: string; status: number | null; source?: string; tls: boolean; error: unknown }> {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { url: string; status: number | null; source?: string; tls: boolean; error: unknown });
}
