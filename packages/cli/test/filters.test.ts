import { execFile } from 'node:child_process';
import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startOrigin, type TestOrigin } from '@capture/core/testing';
import { runCliProcess, startCli, tempProject, type CliProcess } from './helpers/cli-process.js';

const execFileAsync = promisify(execFile);
const FILTERS_PACKAGE = fileURLToPath(new URL('../../plugin-filters', import.meta.url));

let project: ReturnType<typeof tempProject>;
let origin: TestOrigin;
let cli: CliProcess | undefined;

/** A temporary project whose config can name `@capture/plugin-filters`, as a user's project with it installed. */
function projectWithFilters(files: Record<string, string> = {}): ReturnType<typeof tempProject> {
  const created = tempProject(files);
  symlinkSync(FILTERS_PACKAGE, path.join(created.dir, 'node_modules', '@capture', 'plugin-filters'), 'dir');
  return created;
}

beforeEach(async () => {
  // `?ct=TYPE` chooses the Content-Type, so one origin serves JSON, images and audio.
  origin = await startOrigin((req, res) => {
    req.resume();
    const type = new URL(req.url ?? '/', 'http://origin').searchParams.get('ct') ?? 'application/json';
    res.writeHead(200, { 'Content-Type': type });
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

async function startCapture(...args: string[]): Promise<number> {
  cli = startCli(['start', '--port', '0', '--host', '127.0.0.1', ...args], { cwd: project.dir });
  const [, port] = await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
  return Number(port);
}

async function curl(port: number, path: string, method = 'GET'): Promise<string> {
  const { stdout } = await execFileAsync('curl', ['-s', '-X', method, '-x', `http://127.0.0.1:${port}`, `${origin.url}${path}`]);
  return stdout;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function stopAndSummary(): Promise<string> {
  cli!.child.kill('SIGTERM');
  expect(await cli!.exited).toBe(0);
  return /stopped: .*/.exec(cli!.stdout())![0];
}

describe('capture start with filters', () => {
  it('applies --exclude, --exclude-assets and --methods, dims what it does not capture, and counts on exit', async () => {
    project = tempProject();
    const port = await startCapture('--exclude', '/track/', '--exclude', 'ads', '--exclude-assets', '--methods', ' get, POST ');
    await cli!.waitFor(/plugins: .*filters/);
    // Filters decide only what is captured: every request is still answered.
    expect(await curl(port, '/api/users')).toBe('origin saw GET /api/users');
    expect(await curl(port, '/tracking')).toBe('origin saw GET /tracking');
    expect(await curl(port, '/ads/1')).toBe('origin saw GET /ads/1');
    expect(await curl(port, '/api/users', 'DELETE')).toBe('origin saw DELETE /api/users');
    expect(await curl(port, '/logo?ct=image/png')).toBe('origin saw GET /logo?ct=image/png');
    expect(await curl(port, '/song?ct=audio/mpeg')).toBe('origin saw GET /song?ct=audio/mpeg');
    await cli!.waitFor(/\/song\?ct=audio\/mpeg .*\(media: body not captured\)/);
    const out = cli!.stdout();
    expect(out).toMatch(new RegExp(`GET 200 ${escape(origin.url)}/api/users \\d+ B \\d+ ms\\n`));
    expect(out).toContain('/tracking 24 B');
    expect(out).toMatch(/\/tracking .*\(not captured: filtered: exclude\)/);
    expect(out).toMatch(/\/ads\/1 .*\(not captured: filtered: exclude\)/);
    expect(out).toMatch(/DELETE 200 .*\/api\/users .*\(not captured: filtered: method\)/);
    expect(out).toMatch(/\/logo\?ct=image\/png .*\(not captured: filtered: asset\)/);
    expect(await stopAndSummary()).toBe('stopped: 2 captured, 4 filtered, 1 skipped as media');
  });

  it('hides what it does not capture with --hide-filtered, still counting it', async () => {
    project = tempProject();
    const port = await startCapture('--include', '/api', '--include', '/\\/V2\\//i', '--hide-filtered');
    await curl(port, '/home');
    await curl(port, '/v2/items');
    await curl(port, '/api/x');
    await cli!.waitFor(/\/api\/x /);
    expect(cli!.stdout()).toContain('/v2/items');
    expect(cli!.stdout()).not.toContain('/home');
    expect(await stopAndSummary()).toBe('stopped: 2 captured, 1 filtered, 0 skipped as media');
  });

  it.each([
    [['--methods', 'GET,,POST'], 'capture: filters: option "methods": empty method in "GET,,POST"'],
    [['--methods', 'GET POST'], 'capture: filters: option "methods": "GET POST" is not an HTTP method'],
  ])('stops with one line and exit 1 for %j', async (args, message) => {
    project = tempProject();
    const result = await runCliProcess(['start', '--port', '0', '--host', '127.0.0.1', ...args], { cwd: project.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`${message}\n`);
    expect(result.stdout).not.toContain('listening on');
  });

  it.each([
    [['--include', '/[/'], 'capture: --include: invalid regular expression "/[/": Unterminated character class'],
    [['--exclude', 'ok', '--exclude', '/a(/i'], 'capture: --exclude: invalid regular expression "/a(/i": Unterminated group'],
  ])('treats a bad regex flag as a usage error (exit 2, one line) for %j', async (args, message) => {
    project = tempProject();
    const result = await runCliProcess(['start', '--port', '0', '--host', '127.0.0.1', ...args], { cwd: project.dir });
    expect(result.code).toBe(2);
    expect(result.stderr.split('\n')[0]).toBe(message);
    expect(result.stdout).not.toContain('listening on');
  });
});

describe('filters in config files', () => {
  it('takes RegExp objects from capture.config.ts, and flags reconfigure the configured plugin', async () => {
    project = projectWithFilters({
      'capture.config.ts': [
        "import { defineConfig } from '@capture/core';",
        "import filters from '@capture/plugin-filters';",
        'export default defineConfig({ plugins: [filters({ exclude: [/secret/i] })] });',
      ].join('\n'),
    });
    const port = await startCapture('--include', '/api');
    await cli!.waitFor(/plugins: filters\n/);
    await curl(port, '/api/SECRET');
    await curl(port, '/elsewhere');
    await curl(port, '/api/open');
    await cli!.waitFor(/\/api\/open \d+ B/);
    expect(cli!.stdout()).toMatch(/\/api\/SECRET .*\(not captured: filtered: exclude\)/);
    expect(cli!.stdout()).toMatch(/\/elsewhere .*\(not captured: filtered: include\)/);
    expect(await stopAndSummary()).toBe('stopped: 1 captured, 2 filtered, 0 skipped as media');
  });

  it('reads /pattern/flags strings as regexes in YAML', async () => {
    project = projectWithFilters({
      '.capturerc.yaml': ['plugins:', '  - - "@capture/plugin-filters"', '    - exclude: ["/SECRET/i"]', '      methods: get'].join('\n'),
    });
    const port = await startCapture();
    await curl(port, '/a/secret');
    await curl(port, '/a', 'POST');
    await curl(port, '/b');
    await cli!.waitFor(/GET 200 \S+\/b /);
    expect(cli!.stdout()).toMatch(/\/a\/secret .*filtered: exclude/);
    expect(cli!.stdout()).toMatch(/POST 200 \S+\/a .*filtered: method/);
    expect(await stopAndSummary()).toBe('stopped: 1 captured, 2 filtered, 0 skipped as media');
  });

  it('stops with one line naming the file, the option and the value for a bad option in JSON', async () => {
    project = projectWithFilters({ '.capturerc.json': JSON.stringify({ plugins: [['@capture/plugin-filters', { inclde: ['/api/'] }]] }) });
    const result = await runCliProcess(['start', '--port', '0', '--host', '127.0.0.1'], { cwd: project.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'capture: .capturerc.json: plugins[0]: "@capture/plugin-filters": filters: unknown option "inclde" (known: excludeAssets, include, exclude, methods)\n',
    );
  });
});
