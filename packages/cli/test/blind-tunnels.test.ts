import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli, tempProject, type CliProcess } from './helpers/cli-process.js';

let project: ReturnType<typeof tempProject> | undefined;
let cli: CliProcess | undefined;
let origin: https.Server | undefined;

afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
  cli = undefined;
  if (origin) await new Promise<void>((resolve) => origin!.close(() => resolve()));
  origin = undefined;
  project?.cleanup();
  project = undefined;
});

async function startOrigin(dir: string): Promise<{ port: number; certFile: string }> {
  const keyFile = path.join(dir, 'origin-key.pem');
  const certFile = path.join(dir, 'origin.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-days', '2'], { stdio: 'ignore' });
  origin = https.createServer({ key: readFileSync(keyFile), cert: readFileSync(certFile) }, (req, res) => {
    req.resume();
    res.end('ok\n');
  });
  await new Promise<void>((resolve) => origin!.listen(0, '127.0.0.1', resolve));
  return { port: (origin.address() as AddressInfo).port, certFile };
}

function curl(args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile('curl', ['-sS', '--max-time', '15', ...args], { env: { ...process.env, NO_PROXY: '', no_proxy: '' } }, (_error, stdout) => resolve(stdout));
  });
}

const blindLines = (stdout: string) => stdout.split('\n').filter((line) => line.startsWith('CONNECT '));

describe('blind CONNECT tunnels in the live log', () => {
  it('the first per host is one line; the rest are counted in the exit summary', async () => {
    project = tempProject();
    const target = await startOrigin(project.dir);
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--no-https'], { cwd: project.dir });
    const port = Number((await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);
    for (let i = 0; i < 3; i++) {
      expect(await curl(['-x', `http://127.0.0.1:${port}`, '--cacert', target.certFile, `https://localhost:${target.port}/${i}`])).toBe('ok\n');
    }
    await cli.waitFor(/tunnelled blindly/);
    // Give the last tunnels time to close and complete.
    await new Promise((resolve) => setTimeout(resolve, 500));
    cli.child.kill('SIGINT');
    await cli.exited;
    const all = cli.stdout() + cli.stderr();
    expect(blindLines(cli.stdout())).toEqual([`CONNECT localhost:${target.port} tunnelled blindly (TLS); further tunnels to it are counted`]);
    expect(all).toMatch(/stopped: .*\b3 tunnelled blindly\b/);
    expect(all).not.toMatch(/not captured for other reasons/);
  });

  it('--json still emits every tunnel', async () => {
    project = tempProject();
    const target = await startOrigin(project.dir);
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--no-https', '--json'], { cwd: project.dir });
    const port = Number((await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/, 'stderr').catch(() => cli!.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/)))[1]);
    for (let i = 0; i < 2; i++) await curl(['-x', `http://127.0.0.1:${port}`, '--cacert', target.certFile, `https://localhost:${target.port}/${i}`]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    cli.child.kill('SIGINT');
    await cli.exited;
    const objects = cli
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { method: string });
    expect(objects.filter((object) => object.method === 'CONNECT')).toHaveLength(2);
  });
});
