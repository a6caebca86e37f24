import { execFile } from 'node:child_process';

/** What a curl run gave. */
export interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs curl through the proxy on `proxyPort` (never bypassed by NO_PROXY), resolving with its exit code and output. */
export function curlThroughProxy(proxyPort: number, args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile(
      'curl',
      ['-sS', '--max-time', '15', '-x', `http://127.0.0.1:${proxyPort}`, ...args],
      { env: { ...process.env, NO_PROXY: '', no_proxy: '', HTTPS_PROXY: '', https_proxy: '' } },
      (error, stdout, stderr) => resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Runs curl straight at a URL (reverse mode: capture's port is the origin), never through a proxy from the environment. */
export function curlDirect(args: string[]): Promise<CurlResult> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '15', '--noproxy', '*', ...args], (error, stdout, stderr) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}
