import { symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { requestThroughProxy, startOrigin, type TestOrigin } from '@capture/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess, startCli, tempProject, type CliProcess } from './helpers/cli-process.js';

// One plugin's failing tap must not erase an exchange: the sink that throws is reported with its
// name and hook, and history, the live log and the exit counts still get the exchange.

const HISTORY_PACKAGE = fileURLToPath(new URL('../../plugin-history', import.meta.url));

/** A sink that throws on every exchange, tapped before storage so a stopping hook would hide it from history. */
const BROKEN_SINK = `
export default () => ({
  name: 'broken-sink',
  apply(proxy) {
    proxy.hooks.onExchange.tapPromise({ name: 'broken-sink', stage: -50 }, async () => {
      throw new Error('sink is down');
    });
  },
});
`;

let project: ReturnType<typeof tempProject> | undefined;
let cli: CliProcess | undefined;
let origin: TestOrigin | undefined;
afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGKILL');
    await cli.exited;
  }
  await origin?.close();
  project?.cleanup();
  cli = undefined;
  origin = undefined;
  project = undefined;
});

describe('a plugin whose onExchange tap throws', () => {
  it('leaves the exchange in history, the live log and the exit counts, and is named with its hook', async () => {
    project = tempProject({
      'broken-sink.mjs': BROKEN_SINK,
      'capture.config.json': '{ "plugins": ["./broken-sink.mjs", "@capture/plugin-history"] }',
    });
    symlinkSync(HISTORY_PACKAGE, path.join(project.dir, 'node_modules', '@capture', 'plugin-history'), 'dir');
    origin = await startOrigin((_req, res) => res.end('kept'));
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1'], { cwd: project.dir });
    const port = Number((await cli.waitFor(/listening on http:\/\/127\.0\.0\.1:(\d+)/))[1]);

    const response = await requestThroughProxy(port, `${origin.url}/survives`);
    expect(response.text).toBe('kept');
    await cli.waitFor(/GET 200 http:\/\/127\.0\.0\.1:\d+\/survives/);
    await cli.waitFor(/plugin "broken-sink" failed in onExchange: sink is down/, 'stderr');

    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toMatch(/stopped: 1 captured/);

    const listed = await runCliProcess(['history', 'list', '--json'], { cwd: project.dir });
    expect(listed.code).toBe(0);
    const rows = JSON.parse(listed.stdout) as Array<{ url: string; status: number }>;
    expect(rows.map((row) => [new URL(row.url).pathname, row.status])).toEqual([['/survives', 200]]);
  });
});
