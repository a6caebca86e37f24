import { execFile, spawnSync } from 'node:child_process';

/** Debian's Chromium (`chromium`, or `chromium-browser` elsewhere) when it is on PATH. */
export const CHROMIUM: string | undefined = ['chromium', 'chromium-browser'].find((name) => spawnSync('sh', ['-c', `command -v ${name}`]).status === 0);

/**
 * Loads `url` in headless Chromium through the proxy on `proxyPort`, with `home` as HOME (its NSS
 * store decides what Chromium trusts) and a fresh `profile`; resolves with the DOM it got and
 * its log. Everything goes to the proxy, localhost included, and nothing Chromium resolves
 * itself leaves the machine.
 */
export function loadPage(home: string, profile: string, proxyPort: number, url: string): Promise<{ dom: string; log: string }> {
  if (!CHROMIUM) throw new Error('chromium must be installed (Debian package "chromium")');
  const args = [
    '--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--no-default-browser-check',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-default-apps',
    `--proxy-server=http://127.0.0.1:${proxyPort}`, '--proxy-bypass-list=<-loopback>',
    '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
    `--user-data-dir=${profile}`,
    '--dump-dom', url,
  ];
  return new Promise((resolve) => {
    execFile(CHROMIUM, args, { env: { ...process.env, HOME: home }, timeout: 60_000 }, (_error, stdout, stderr) => resolve({ dom: stdout, log: stderr }));
  });
}
