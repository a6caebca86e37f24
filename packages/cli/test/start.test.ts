import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOrigin, type TestOrigin } from '@capture/core/testing';
import { runCliProcess, startCli, tempProject, type CliProcess } from './helpers/cli-process.js';

const execFileAsync = promisify(execFile);

let project: ReturnType<typeof tempProject>;
let origin: TestOrigin;
let cli: CliProcess | undefined;

beforeEach(async () => {
  project = tempProject();
  origin = await startOrigin((req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(`origin saw ${req.method} ${req.url}`);
  });
});

afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGKILL');
    await cli.exited;
  }
  cli = undefined;
  await origin.close();
  project.cleanup();
});

async function startProxyCli(...args: string[]): Promise<number> {
  cli = startCli(['start', '--port', '0', '--host', '127.0.0.1', ...args], { cwd: project.dir });
  const [, port] = await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
  return Number(port);
}

describe('capture start', () => {
  it('proxies curl -x and prints the exchange, then exits 0 on SIGTERM', async () => {
    const port = await startProxyCli();
    const { stdout } = await execFileAsync('curl', ['-s', '-x', `http://127.0.0.1:${port}`, `${origin.url}/x`]);
    expect(stdout).toBe('origin saw GET /x');
    await cli!.waitFor(new RegExp(`GET 200 ${origin.url.replace(/[.]/g, '\\.')}/x \\d+ B \\d+ ms`));
    cli!.child.kill('SIGTERM');
    expect(await cli!.exited).toBe(0);
    expect(cli!.stdout()).toContain('stopped: 1 captured');
  });

  it('exits 0 on SIGINT too', async () => {
    await startProxyCli();
    cli!.child.kill('SIGINT');
    expect(await cli!.exited).toBe(0);
  });

  it('one Ctrl-C delivered twice (by the terminal and by pnpm) is one graceful stop; a later second press forces exit 130', async () => {
    await startProxyCli();
    cli!.child.kill('SIGINT');
    cli!.child.kill('SIGINT');
    expect(await cli!.exited).toBe(0);
    expect(cli!.stdout()).not.toContain('forced exit');

    // An exchange the origin never answers keeps the close waiting, so the second press is the one that ends it.
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    const hanging = await startOrigin(() => arrived());
    try {
      const port = await startProxyCli();
      const request = execFileAsync('curl', ['-s', '-x', `http://127.0.0.1:${port}`, `${hanging.url}/never`]).catch(() => undefined);
      await requestArrived;
      cli!.child.kill('SIGINT');
      await cli!.waitFor(/stopping: finishing in-flight exchanges/);
      await new Promise((resolve) => setTimeout(resolve, 1_200)); // a second press, well after the first
      cli!.child.kill('SIGINT');
      expect(await cli!.exited).toBe(130);
      expect(cli!.stdout()).toContain('capture: forced exit');
      await request;
    } finally {
      await hanging.close();
    }
  });

  it('takes its flags after a "--" as well (pnpm start -- --port N passes the separator on)', async () => {
    cli = startCli(['start', '--', '--port', '0', '--host', '127.0.0.1'], { cwd: project.dir });
    const [, port] = await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    const { stdout } = await execFileAsync('curl', ['-s', '-x', `http://127.0.0.1:${port}`, `${origin.url}/after-separator`]);
    expect(stdout).toBe('origin saw GET /after-separator');
  });

  it('prints one JSON object per exchange with --json, keeping stdout machine-readable', async () => {
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--json'], { cwd: project.dir });
    const [, port] = await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 'stderr');
    await execFileAsync('curl', ['-s', '-x', `http://127.0.0.1:${port}`, '-d', 'a=1', `${origin.url}/form`]);
    const [line] = await cli.waitFor(/^\{.*\}$/m);
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record).toMatchObject({ method: 'POST', url: `${origin.url}/form`, status: 200, requestBytes: 3, captured: true });
    expect(cli.stdout().trim().split('\n')).toHaveLength(1);
  });

  it('prints no exchanges with --quiet', async () => {
    const port = await startProxyCli('--quiet');
    await execFileAsync('curl', ['-s', '-x', `http://127.0.0.1:${port}`, `${origin.url}/q`]);
    cli!.child.kill('SIGTERM');
    expect(await cli!.exited).toBe(0);
    expect(cli!.stdout()).not.toContain('/q');
    expect(cli!.stdout()).toContain('stopped: 1 captured');
  });

  it('tells a device how to reach it when listening on all interfaces', async () => {
    cli = startCli(['--port', '0'], { cwd: project.dir });
    const [, port] = await cli.waitFor(/listening on http:\/\/0\.0\.0\.0:(\d+)/);
    const lan = (await import('../src/lan.js')).lanAddresses();
    for (const address of lan) await cli.waitFor(new RegExp(`set the HTTP proxy of your device to ${address.replace(/\./g, '\\.')}:${port}`));
  });

  it('says in one line that the port is in use and exits 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const result = await runCliProcess(['start', '--port', String(port), '--host', '127.0.0.1'], { cwd: project.dir });
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(`capture: port ${port} on 127.0.0.1 is already in use (choose another with --port)`);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });
});

describe('capture usage', () => {
  it('prints the version', async () => {
    const result = await runCliProcess(['--version'], { cwd: project.dir });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('prints help listing the commands', async () => {
    const result = await runCliProcess(['--help'], { cwd: project.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('start [options]');
    const startHelp = await runCliProcess(['start', '--help'], { cwd: project.dir });
    expect(startHelp.stdout).toContain('--port <port>');
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['start', '--bogus'], "unknown option '--bogus'"],
    [['start', '--port', 'abc'], '--port expects a number from 0 to 65535, got "abc"'],
  ])('exits 2 with usage for %j', async (args, message) => {
    const result = await runCliProcess(args, { cwd: project.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(message);
  });
});
