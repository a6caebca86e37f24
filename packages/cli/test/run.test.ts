import { execFileSync } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliProcess, startCli, tempProject, type CliProcess } from './helpers/cli-process.js';
import { jsonLog, startHttpsOrigin, type HttpsOrigin } from './helpers/https-origin.js';

// `capture run` against real programs on 127.0.0.1: none is given -x or --cacert; the environment
// capture builds is all they get. capture itself trusts the self-signed origin through
// NODE_EXTRA_CA_CERTS, as a user trusts a local development server.

let project: ReturnType<typeof tempProject>;
let origin: HttpsOrigin;
let plain: http.Server;
let plainPort: number;
let env: NodeJS.ProcessEnv;
const running: CliProcess[] = [];

const installed = (command: string) => {
  try {
    execFileSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  project = tempProject();
  origin = await startHttpsOrigin(project.dir);
  plain = http.createServer((req, res) => res.end(`plain saw ${req.url}\n`));
  await new Promise<void>((resolve) => plain.listen(0, '127.0.0.1', resolve));
  plainPort = (plain.address() as AddressInfo).port;
  // Whatever proxy the machine running the tests has must not be what makes these pass.
  env = { NODE_EXTRA_CA_CERTS: origin.certFile, HTTP_PROXY: '', HTTPS_PROXY: '', http_proxy: '', https_proxy: '' };
});

afterAll(async () => {
  for (const cli of running) if (cli.child.exitCode === null && cli.child.signalCode === null) cli.child.kill('SIGKILL');
  await Promise.all(running.map((cli) => cli.exited));
  await origin?.close();
  await new Promise<void>((resolve) => (plain ? plain.close(() => resolve()) : resolve()));
  project?.cleanup();
});

const run = (args: string[]) => runCliProcess(['run', '--no-web', '--json', '--', ...args], { cwd: project.dir, env });

/** Runs a client under capture run and checks it reached the origin over HTTPS, captured with its source. */
async function expectCaptured(args: string[], path: string, source: string, output = `origin saw ${path}`) {
  const result = await run(args);
  expect(result.stderr).not.toMatch(/self[- ]signed|local issuer|certificate verify failed|SSL certificate problem|ERR_CERT|UNABLE_TO_VERIFY/i);
  expect(result.code).toBe(0);
  // The program's stdout is its own: capture's banner and live log are on stderr.
  expect(result.stdout.trim()).toBe(output);
  const exchange = jsonLog(result.stderr).find((entry) => entry.url.endsWith(path));
  expect(exchange).toMatchObject({ status: 200, source, error: null });
  expect(result.stderr).toContain(`captured 1 exchange from ${source.slice(4)} (capture history list --source ${source})`);
  return exchange!;
}

describe('capture run -- CMD', () => {
  it('curl https://localhost:PORT/ (no -x, no --cacert) is intercepted and tagged run:curl; history has it by source', async () => {
    const exchange = await expectCaptured(['curl', '-sS', `https://localhost:${origin.port}/curl`], '/curl', 'run:curl');
    expect(exchange).toMatchObject({ url: `https://localhost:${origin.port}/curl`, tls: true });
    const history = await runCliProcess(['history', 'list', '--json', '--source', 'run:curl'], { cwd: project.dir });
    const rows = JSON.parse(history.stdout) as Array<{ url: string; source: string }>;
    expect(rows.map((row) => [row.url, row.source])).toContainEqual([`https://localhost:${origin.port}/curl`, 'run:curl']);
  });

  it('node -e "fetch(…)": the preload gives undici’s global dispatcher the proxy', async () => {
    await expectCaptured(['node', '-e', `fetch('https://localhost:${origin.port}/fetch').then((r) => r.text()).then((t) => process.stdout.write(t))`], '/fetch', 'run:node');
  });

  it('https.get and http.get under Node go through capture too', async () => {
    await expectCaptured(['node', '-e', `require('https').get('https://localhost:${origin.port}/https-get', (r) => r.pipe(process.stdout))`], '/https-get', 'run:node');
    await expectCaptured(['node', '-e', `require('http').get('http://localhost:${plainPort}/http-get', (r) => r.pipe(process.stdout))`], '/http-get', 'run:node', 'plain saw /http-get');
  });

  it.skipIf(!installed('python3'))('python3 urllib.request trusts the bundle (SSL_CERT_FILE) and sends the credentials on CONNECT', async () => {
    await expectCaptured(['python3', '-c', `import urllib.request, sys; sys.stdout.write(urllib.request.urlopen('https://localhost:${origin.port}/python').read().decode())`], '/python', 'run:python3');
  });

  it.skipIf(!installed('wget'))('wget (GnuTLS, which reads no CA variable) trusts capture through WGETRC', async () => {
    await expectCaptured(['wget', '-q', '-O', '-', `https://localhost:${origin.port}/wget`], '/wget', 'run:wget');
  });

  it('exits with the program’s exit code, 128+N when a signal ended it, 127 for a command that is not there', async () => {
    expect((await run(['sh', '-c', 'exit 7'])).code).toBe(7);
    expect((await run(['sh', '-c', 'kill -TERM $$'])).code).toBe(128 + 15);
    const missing = await run(['capture-test-no-such-command']);
    expect(missing.code).toBe(127);
    expect(missing.stderr).toContain('capture: cannot run "capture-test-no-such-command": command not found');
  });

  it('passes Ctrl-C (SIGINT) to the program, then closes capture and exits with the program’s code', async () => {
    const script = "process.on('SIGINT', () => { console.log('child got SIGINT'); process.exit(42); }); console.log('ready'); setInterval(() => {}, 1000);";
    const cli = startCli(['run', '--no-web', '--', 'node', '-e', script], { cwd: project.dir, env });
    running.push(cli);
    await cli.waitFor(/ready/);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(42);
    expect(cli.stdout()).toBe('ready\nchild got SIGINT\n');
    expect(cli.stderr()).toContain('captured 0 exchanges from node');

    // A program that does not handle it dies of it: 128 + 2.
    const plainNode = startCli(['run', '--no-web', '--', 'node', '-e', "console.log('ready'); setInterval(() => {}, 1000);"], { cwd: project.dir, env });
    running.push(plainNode);
    await plainNode.waitFor(/ready/);
    plainNode.child.kill('SIGINT');
    expect(await plainNode.exited).toBe(130);
  });
});
