import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startOrigin, type TestOrigin } from '@capture/core/testing';
import { startCli, type CliProcess } from './helpers/cli-process.js';

const execFileAsync = promisify(execFile);
const basic = fileURLToPath(new URL('../../../examples/basic/', import.meta.url));

let cli: CliProcess | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGKILL');
    await cli.exited;
  }
  await origin?.close();
});

describe('examples/basic', () => {
  it('starts from its capture.config.ts and proxies a request', async () => {
    origin = await startOrigin((_req, res) => res.end('hello from the origin'));
    // The example listens on 5555; the test overrides only the port so it never clashes.
    cli = startCli(['start', '--port', '0'], { cwd: basic, env: { CAPTURE_HOME: fileURLToPath(new URL('../.test-home/', import.meta.url)) } });
    const [, port] = await cli.waitFor(/listening on http:\/\/0\.0\.0\.0:(\d+)/);
    expect(cli.stdout()).toContain('capture.config.ts');
    const { stdout } = await execFileAsync('curl', ['-s', '-x', `http://127.0.0.1:${port}`, `${origin.url}/hi`]);
    expect(stdout).toBe('hello from the origin');
    await cli.waitFor(/GET 200 http:\/\/127\.0\.0\.1:\d+\/hi/);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});
