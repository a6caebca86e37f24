import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startCli, tempProject, type CliProcess } from './helpers/cli-process.js';
import { streamDownload } from './helpers/download-origin.js';

const execFileAsync = promisify(execFile);
const REPORTER = fileURLToPath(new URL('./fixtures/report-v8-malloced.mjs', import.meta.url));
/** Long enough that undici's parser is hot: V8 recompiled it with its optimising compiler within the first 16-128 MiB. */
const BODY_BYTES = 128 * 1024 * 1024;
/**
 * The bound on V8's own malloc'd memory at its peak. Measured through `capture start` with its
 * default plugins: 7 MiB with WebAssembly kept on the baseline compiler, 41 MiB when V8 tiered
 * undici's parser up (that compilation's zones alone).
 */
const PEAK_MALLOCED_BOUND = 20 * 1024 * 1024;

let project: ReturnType<typeof tempProject>;
let origin: http.Server;
let cli: CliProcess | undefined;

beforeEach(async () => {
  project = tempProject();
  origin = http.createServer(streamDownload(() => BODY_BYTES));
  await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
});

afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGKILL');
    await cli.exited;
  }
  cli = undefined;
  origin.closeAllConnections();
  await new Promise((resolve) => origin.close(resolve));
  project.cleanup();
});

describe('capture start during a large download', () => {
  // The CLI keeps WebAssembly (undici's HTTP parser) on V8's baseline compiler (wasm-tiers.ts).
  it('forwards 128 MiB without V8 recompiling the HTTP parser (its compiler memory stays small)', async () => {
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--web-port', '0', '--quiet'], { cwd: project.dir, nodeArgs: ['--import', REPORTER] });
    const [, port] = await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    const url = `http://127.0.0.1:${(origin.address() as AddressInfo).port}/big`;
    const { stdout: size } = await execFileAsync('curl', ['-sS', '-o', '/dev/null', '-w', '%{size_download}', '--proxy', `http://127.0.0.1:${port}`, url]);
    expect(Number(size)).toBe(BODY_BYTES);

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    const [, peak] = /v8 peak malloced (\d+)/.exec(cli.stderr()) ?? [];
    expect(peak, cli.stderr()).toBeDefined();
    expect(Number(peak)).toBeLessThan(PEAK_MALLOCED_BOUND);
  }, 60_000);
});
