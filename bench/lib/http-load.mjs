// Plain-HTTP keep-alive load (wrk when installed, else autocannon) and single big downloads (curl),
// directly or through a proxy. wrk and autocannon reach a proxy by connecting to it and asking
// for the origin's absolute URL, as any client configured with an HTTP proxy does.
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** True when the wrk binary is on PATH (it prints its version and exits 1: only ENOENT means missing). */
export async function hasWrk() {
  try {
    await run('wrk', ['--version']);
    return true;
  } catch (error) {
    return error.code !== 'ENOENT';
  }
}

const toMs = (value, unit) => Number(value) * ({ us: 0.001, ms: 1, s: 1000 }[unit] ?? 1);

async function wrk(connectTo, requestTarget, { connections, seconds, scratchDir }) {
  const script = path.join(scratchDir, 'wrk-target.lua');
  writeFileSync(script, `wrk.path = ${JSON.stringify(requestTarget)}\n`);
  const { stdout } = await run('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '--timeout', '10s', '--latency', '-s', script, connectTo], { maxBuffer: 1 << 20 });
  const latency = (label) => {
    const match = new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`).exec(stdout);
    return match ? toMs(match[1], match[2]) : NaN;
  };
  const socketErrors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(stdout)?.[1] ?? NaN),
    requests: Number(/(\d+) requests in/.exec(stdout)?.[1] ?? 0),
    p50: latency('50'),
    p99: latency('99'),
    errors: non2xx + (socketErrors ? socketErrors.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0),
  };
}

async function autocannon(connectTo, requestTarget, { connections, seconds }) {
  const { default: load } = await import('autocannon');
  const result = await load({ url: connectTo, connections, duration: seconds, requests: [{ method: 'GET', path: requestTarget }] });
  return {
    rps: result.requests.average,
    requests: result.requests.total,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

/** The keep-alive load function of the tool asked for: (connectTo, requestTarget, options) => result. */
export function keepAliveLoader(tool) {
  return tool === 'wrk' ? wrk : autocannon;
}

/**
 * One download of `url` by curl, through `proxyPort` when given, trusting `caFile`; the body is
 * discarded. Resolves with { mbps (MiB/s), seconds, ttfb (ms), bytes, errors }.
 */
export async function download(url, { proxyPort, caFile, resolve, timeoutSeconds = 300 }) {
  const args = ['--silent', '--show-error', '--http1.1', '--output', '/dev/null', '--max-time', String(timeoutSeconds),
    '--write-out', '%{http_code} %{size_download} %{time_starttransfer} %{time_total}'];
  if (proxyPort) args.push('--proxy', `http://127.0.0.1:${proxyPort}`);
  if (caFile) args.push('--cacert', caFile);
  // Direct HTTPS: the name in the URL resolves to the local origin (a proxy resolves it itself).
  if (resolve && !proxyPort) args.push('--resolve', resolve);
  args.push(url);
  try {
    const { stdout } = await run('curl', args);
    const [status, size, starttransfer, total] = stdout.trim().split(' ');
    const bytes = Number(size);
    const seconds = Number(total);
    return { mbps: bytes / 1048576 / seconds, seconds, ttfb: Number(starttransfer) * 1000, bytes, errors: status === '200' ? 0 : 1 };
  } catch (error) {
    return { mbps: 0, seconds: NaN, ttfb: NaN, bytes: 0, errors: 1, message: String(error.stderr || error.message).trim() };
  }
}
