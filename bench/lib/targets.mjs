// The proxies under test, each started in its own child process and stopped with it:
// capture as the CLI runs it (default plugins), mitmdump, and http-mitm-proxy. Each start resolves
// with { name, pid, port, caFile, stop() }; stop() resolves once the process has exited.
import { execFile, fork, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const benchDir = path.join(here, '..');
const repoDir = path.join(benchDir, '..');
const hostsPreload = pathToFileURL(path.join(benchDir, 'servers', 'bench-hosts.mjs')).href;

/** How long a proxy may take to say where it listens (mitmproxy takes a few seconds on a busy machine). */
const START_TIMEOUT_MS = 60_000;

/** Resolves with the first match of `pattern` in the child's stdout; rejects if it exits or stalls first. */
function waitForLine(child, pattern, what) {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => done(new Error(`${what} did not start within ${START_TIMEOUT_MS / 1000} s:\n${seen}`)), START_TIMEOUT_MS);
    const onData = (chunk) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) done(undefined, match);
    };
    const onExit = (code) => done(new Error(`${what} exited with ${code} before listening:\n${seen}`));
    const done = (error, match) => {
      clearTimeout(timer);
      child.stdout.off('data', onData);
      child.off('exit', onExit);
      // Keep draining its output so a chatty proxy never blocks on a full pipe.
      child.stdout.resume();
      if (error) reject(error);
      else resolve(match);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk) => (seen += chunk.toString()));
    child.on('exit', onExit);
  });
}

/**
 * What ended a child that exited on its own: { exited: false } while it runs, else its exit code
 * or signal and the error line of its stderr (the last 4 KiB are kept), so a crash mid-run shows
 * in the results rather than as a column of connection errors.
 */
function watchExit(child) {
  const state = { exited: false, reason: '' };
  let tail = '';
  child.stderr.on('data', (chunk) => (tail = (tail + chunk.toString()).slice(-4096)));
  child.once('exit', (code, signal) => {
    state.exited = true;
    const line = tail.split('\n').find((text) => /Error|error:/.test(text))?.trim();
    state.reason = `exited (${signal ?? `code ${code}`})${line ? `: ${line}` : ''}`;
  });
  return state;
}

/** Stops a child: `signal` (or an IPC 'stop'), then SIGKILL after 15 s. Resolves once it has exited. */
function stopper(child, { ipc = false, signal = 'SIGTERM' } = {}) {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      child.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      if (ipc) child.send('stop');
      else child.kill(signal);
    });
}

/**
 * A temporary folder of the proxy's own (its TMPDIR). The web view notes its port in a registry in
 * the temporary folder that every capture's proxy reads on each request, and notes of captures
 * that crashed stay there: in the shared /tmp their number (and so capture's cost per request)
 * would depend on what ran on the machine before. A fresh folder measures a clean machine, and a
 * capture that crashes in the benchmark leaves nothing behind for other runs.
 */
export function privateTmp(dataDir) {
  const dir = path.join(dataDir, 'tmp');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * capture as a user runs it: `capture start` from the built CLI with its default plugins (https,
 * filters, history saving responses, the web view), a temporary data folder (CAPTURE_HOME) and the origin
 * trusted through NODE_EXTRA_CA_CERTS, as public origins are through the system's CAs.
 */
export async function startCapture({ dataDir, originCertFile, cpuProfDir }) {
  const bin = path.join(repoDir, 'packages', 'cli', 'dist', 'bin.js');
  if (!existsSync(bin)) throw new Error(`${bin} is missing: build first (npx -y pnpm@12.4.2 build)`);
  const execArgv = ['--import', hostsPreload];
  if (cpuProfDir) {
    mkdirSync(cpuProfDir, { recursive: true });
    execArgv.push('--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`);
  }
  // --web-port 0: the web view (a default plugin) on a free port, never a user's 5556.
  const child = spawn(process.execPath, [...execArgv, bin, 'start', '--port', '0', '--host', '127.0.0.1', '--web-port', '0', '--quiet'], {
    env: { ...process.env, CAPTURE_HOME: dataDir, NODE_EXTRA_CA_CERTS: originCertFile, TMPDIR: privateTmp(dataDir) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const crash = watchExit(child);
  const [, port] = await waitForLine(child, /listening on http:\/\/127\.0\.0\.1:(\d+)/, 'capture start');
  return { name: 'capture', pid: child.pid, port: Number(port), caFile: path.join(dataDir, 'proxy', 'capture-proxy-ca.crt'), stop: stopper(child), crash };
}

/**
 * mitmdump (Debian's mitmproxy) streaming bodies over 1 MiB, with its own confdir (its CA is
 * created there), verifying the origin against its certificate, quiet per flow.
 */
export async function startMitmproxy({ confDir, originCertFile }) {
  const child = spawn('mitmdump', [
    '--listen-host', '127.0.0.1', '--listen-port', '0',
    '--set', `confdir=${confDir}`,
    '--set', 'stream_large_bodies=1m',
    '--set', `ssl_verify_upstream_trusted_ca=${originCertFile}`,
    '--set', 'flow_detail=0',
    '-s', path.join(benchDir, 'servers', 'mitmproxy_bench_hosts.py'),
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  const [, port] = await waitForLine(child, /listening at (?:http:\/\/)?127\.0\.0\.1:(\d+)/, 'mitmdump');
  return { name: 'mitmproxy', pid: child.pid, port: Number(port), caFile: path.join(confDir, 'mitmproxy-ca-cert.pem'), stop: stopper(child) };
}

/** http-mitm-proxy (npm) as a minimal forwarding proxy (servers/http-mitm-proxy.mjs). */
export async function startHttpMitmProxy({ caDir, originCertFile }) {
  const child = fork(path.join(benchDir, 'servers', 'http-mitm-proxy.mjs'), [caDir], {
    execArgv: ['--import', hostsPreload],
    env: { ...process.env, NODE_EXTRA_CA_CERTS: originCertFile },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const { port, caFile } = await new Promise((resolve, reject) => {
    child.once('message', resolve);
    child.once('exit', (code) => reject(new Error(`http-mitm-proxy exited with ${code}`)));
  });
  return { name: 'http-mitm-proxy', pid: child.pid, port, caFile, stop: stopper(child, { ipc: true }) };
}

/**
 * Makes sure `binary` is on PATH, installing Debian `pkg` with apt-get when it is not (as root).
 * Resolves with undefined when it is there, else with why it is not (the caller skips that column).
 */
export async function ensureDebianTool(binary, pkg) {
  const present = async () => {
    try {
      await run('sh', ['-c', `command -v ${binary}`]);
      return true;
    } catch {
      return false;
    }
  };
  if (await present()) return undefined;
  if (process.getuid?.() !== 0) return `${binary} is not installed and installing ${pkg} needs root (apt-get install ${pkg})`;
  console.log(`installing ${pkg} with apt-get (${binary} is missing)…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    await run('apt-get', ['install', '-y', '-qq', pkg], { env, maxBuffer: 16 << 20 });
  } catch {
    try {
      await run('apt-get', ['update', '-qq'], { env, maxBuffer: 16 << 20 });
      await run('apt-get', ['install', '-y', '-qq', pkg], { env, maxBuffer: 16 << 20 });
    } catch (error) {
      return `apt-get install ${pkg} failed: ${String(error.stderr || error.message).trim().split('\n').pop()}`;
    }
  }
  return (await present()) ? undefined : `${binary} is still missing after apt-get install ${pkg}`;
}
