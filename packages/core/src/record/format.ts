/**
 * How an exchange's numbers and host read wherever capture shows them: the live log, `capture
 * history list`, the web view. One definition, so the same exchange reads the same everywhere.
 * Browser-safe: the web view's page bundles this file.
 */

/** Decimal units, as browsers' network panels show sizes. */
const SIZE_UNITS = ['kB', 'MB', 'GB', 'TB'] as const;

/** Bytes as a short size: `512 B`, `12.3 kB`, `148 kB`, `4.2 MB` (one decimal below 100). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 999.95 && unit < SIZE_UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 99.95 ? Math.round(value) : value.toFixed(1)} ${SIZE_UNITS[unit]}`;
}

/** Milliseconds as `14 ms`, `1.25 s`, `12.5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 999.5) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 9_995 ? 2 : 1)} s`;
}

const DEFAULT_PORTS: Readonly<Record<string, string>> = { http: '80', https: '443', ws: '80', wss: '443' };

/**
 * `host[:port]` of an absolute URL, lower case, as capture lists and groups exchanges: the port
 * only when it is not the scheme's default (`http://Example.com:80/` is `example.com`), IPv6
 * addresses in brackets (`[::1]:8080`). Empty when the text is not an absolute URL.
 */
export function hostOf(url: string): string {
  const match = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]/?#]*\]|[^:/?#]*)(?::(\d*))?/i.exec(url);
  if (!match) return '';
  const scheme = match[1]!.toLowerCase();
  const host = match[2]!.toLowerCase();
  const port = match[3];
  return port && port !== DEFAULT_PORTS[scheme] ? `${host}:${port}` : host;
}
