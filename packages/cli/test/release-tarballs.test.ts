import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { requestThroughProxy, startOrigin } from '@capture/core/testing';
import { runCapture, startCapture, stopProxyProcess } from '../src/testing/index.js';

/*
 * The release, end to end, outside the workspace: in a TEMPORARY COPY of the repository (never
 * the real one: `changeset version` consumes the changesets) run `pnpm changeset version`, then
 * `pnpm -r pack`, install the tarballs with plain npm into an empty project, and run the installed
 * `capture`. npm fetches third-party dependencies from the registry and builds better-sqlite3,
 * which takes about two minutes here, so the test runs only with CAPTURE_RELEASE_TEST=1:
 *
 *   CAPTURE_RELEASE_TEST=1 npx vitest run test/release-tarballs.test.ts
 *
 * It packs the packages' current dist folders: build first (`pnpm build`).
 */

const execFileAsync = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PNPM = ['-y', 'pnpm@12.4.2'];
const enabled = process.env.CAPTURE_RELEASE_TEST === '1';

const work = enabled ? mkdtempSync(path.join(os.tmpdir(), 'capture-release-')) : '';
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

async function run(command: string, args: string[], cwd: string, timeout = 300_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, { cwd, timeout, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
    return stdout;
  } catch (error) {
    const failed = error as Error & { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}: ${failed.message}\n${failed.stdout ?? ''}\n${failed.stderr ?? ''}`);
  }
}

describe.skipIf(!enabled)('packed tarballs installed with npm', () => {
  const repo = path.join(work, 'repo');
  const packs = path.join(work, 'packs');
  const project = path.join(work, 'project');

  it('versions the packages with changesets and packs them without workspace ranges', async () => {
    mkdirSync(repo);
    mkdirSync(packs);
    // Copy the working tree with its built dist folders, without dependencies or git.
    await run('bash', ['-c', `tar --exclude=node_modules --exclude=.git --exclude=.turbo --exclude=.bench --exclude='.vitest-*.json' -cf - . | tar -xf - -C "${repo}"`], ROOT);
    await run('npx', [...PNPM, 'install', '--offline'], repo);
    const before = JSON.parse(readFileSync(path.join(repo, 'packages/cli/package.json'), 'utf8')) as { version: string };
    await run('npx', [...PNPM, 'changeset', 'version'], repo);
    const after = JSON.parse(readFileSync(path.join(repo, 'packages/cli/package.json'), 'utf8')) as { version: string };
    expect(after.version).not.toBe(before.version);
    expect(readFileSync(path.join(repo, 'packages/cli/CHANGELOG.md'), 'utf8')).toContain(`## ${after.version}`);
    await run('npx', [...PNPM, '-r', 'pack', '--pack-destination', packs], repo);
    const tarballs = readdirSync(packs).filter((file) => file.endsWith('.tgz'));
    expect(tarballs).toEqual(expect.arrayContaining([`capture-cli-${after.version}.tgz`, expect.stringMatching(/^capture-core-/), expect.stringMatching(/^capture-plugin-history-/)]));
    for (const tarball of tarballs) {
      const manifest = await run('tar', ['-xzOf', path.join(packs, tarball), 'package/package.json'], packs);
      expect(manifest, tarball).not.toContain('workspace:');
    }
  }, 300_000);

  it('installs into an empty project with npm and runs capture with the installed plugins', async () => {
    mkdirSync(project);
    writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'capture-release-check', private: true, type: 'module' }));
    const tarballs = readdirSync(packs).filter((file) => file.endsWith('.tgz')).map((file) => path.join(packs, file));
    await run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], project, 480_000);
    const cliVersion = (JSON.parse(readFileSync(path.join(project, 'node_modules/@capture/cli/package.json'), 'utf8')) as { version: string }).version;
    expect((await run('npx', ['capture', '--version'], project)).trim()).toBe(cliVersion);

    writeFileSync(
      path.join(project, 'capture.config.mjs'),
      [
        "import { defineConfig } from '@capture/core';",
        "import https from '@capture/plugin-https';",
        "import filters from '@capture/plugin-filters';",
        "import history from '@capture/plugin-history';",
        "import collections from '@capture/plugin-collections';",
        "export default defineConfig({ plugins: [https(), filters(), history(), collections({ name: 'Release check', saveResponses: true })] });",
        '',
      ].join('\n'),
    );
    const origin = await startOrigin((_req, res) => res.end('installed'));
    const home = path.join(project, 'home');
    const bin = path.join(project, 'node_modules/@capture/cli/dist/bin.js');
    const capture = startCapture(['start', '--port', '0', '--host', '127.0.0.1'], { bin, home, cwd: project });
    try {
      const [, port] = await capture.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
      await capture.waitFor(/plugins: https, filters, history, collections/);
      expect((await requestThroughProxy(Number(port), `${origin.url}/release`)).text).toBe('installed');
      expect(await stopProxyProcess(capture)).toBe(0);
      const listed = await runCapture(['history', 'list', '--json'], { bin, home, cwd: project });
      expect(listed.stdout).toContain(`${origin.url}/release`);
      const collection = readFileSync(path.join(home, 'collections', 'release-check.postman_collection.json'), 'utf8');
      expect(collection).toContain('installed');
    } finally {
      if (capture.child.exitCode === null) capture.child.kill('SIGKILL');
      await origin.close();
    }
  }, 600_000);
});
