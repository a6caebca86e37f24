import { chmodSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess, startCli, tempProject, type CliProcess } from './helpers/cli-process.js';

let project: ReturnType<typeof tempProject> | undefined;
let cli: CliProcess | undefined;

afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGTERM');
    await cli.exited;
  }
  cli = undefined;
  project?.cleanup();
  project = undefined;
});

/** A project whose data folder exists with mode 0755 (as `mkdir` leaves it). */
function looseDataDir(): string {
  project = tempProject();
  const home = path.join(project.dir, '.capture-home');
  mkdirSync(home);
  chmodSync(home, 0o755);
  return home;
}

const warningLines = (stderr: string) => stderr.split('\n').filter((line) => line.includes('warning'));

describe.skipIf(process.platform === 'win32')('a data folder open to other users', () => {
  it('capture history list says so in exactly one warning line, and still lists', async () => {
    const home = looseDataDir();
    const result = await runCliProcess(['history', 'list'], { cwd: project!.dir });
    expect(result.code).toBe(0);
    const lines = warningLines(result.stderr);
    expect(lines).toEqual([`capture: warning: capture's data folder ${home} is accessible to other users (mode 0755): captured secrets may be readable; run chmod 700 "${home}"`]);
  });

  it('capture ca path says so once too', async () => {
    looseDataDir();
    const result = await runCliProcess(['ca', 'path'], { cwd: project!.dir });
    expect(result.code).toBe(0);
    expect(warningLines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^capture: warning: capture's data folder .* \(mode 0755\)/m);
  });

  it('capture start prints it once as a warning (code DATA_DIR_UNSAFE), not an error, and runs', async () => {
    const home = looseDataDir();
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1'], { cwd: project!.dir });
    await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/);
    await cli.waitFor(/capture: warning: capture's data folder/, 'stderr');
    cli.child.kill('SIGINT');
    await cli.exited;
    const lines = warningLines(cli.stderr() + cli.stdout());
    expect(lines).toEqual([`capture: warning: capture's data folder ${home} is accessible to other users (mode 0755): captured secrets may be readable; run chmod 700 "${home}"`]);
  });

  it('a private data folder gives no warning', async () => {
    project = tempProject();
    const result = await runCliProcess(['history', 'list'], { cwd: project.dir });
    expect(result.code).toBe(0);
    expect(warningLines(result.stderr)).toEqual([]);
  });
});
