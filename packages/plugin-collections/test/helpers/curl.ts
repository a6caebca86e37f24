import { execFile } from 'node:child_process';

/** What a curl run gave. */
export interface CurlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs curl through the proxy on `proxyPort` (never bypassed by NO_PROXY); rejects when curl fails. */
export function curl(proxyPort: number, args: string[]): Promise<CurlResult> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      ['-sS', '--fail', '--max-time', '15', '-x', `http://127.0.0.1:${proxyPort}`, ...args],
      { env: { ...process.env, NO_PROXY: '', no_proxy: '', HTTPS_PROXY: '', https_proxy: '', HTTP_PROXY: '', http_proxy: '' }, encoding: 'utf8' },
      (error, stdout, stderr) => (error ? reject(new Error(`curl ${args.join(' ')} failed: ${stderr || error.message}`)) : resolve({ code: 0, stdout, stderr })),
    );
  });
}
