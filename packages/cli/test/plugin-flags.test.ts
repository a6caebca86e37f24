import { existsSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCapture } from '../src/testing/index.js';
import { BIN, runCliProcess, startCli, tempProject, type CliProcess } from './helpers/cli-process.js';

// Plugins own their `capture start` flags: a plugin listed only in capture.config.ts gets its
// flags on the command line and in --help, and values reach it through reconfigure.

const HISTORY_PACKAGE = fileURLToPath(new URL('../../plugin-history', import.meta.url));

/** A plugin with a repeatable flag; it prints the tags it was given on the start banner. */
const TAGGER = `
export default function tagger(options = {}) {
  const tags = options.tags ?? ['untagged'];
  return {
    name: 'tagger',
    flags: [
      {
        flags: '--tag <name>',
        description: 'tag this run (repeatable)',
        parse: (value, previous) => {
          if (value === 'bad') throw new Error('"bad" is not a tag');
          return [...(Array.isArray(previous) ? previous : []), value];
        },
        toOptions: (value) => ({ tags: value }),
      },
    ],
    reconfigure: (overrides) => tagger({ ...options, ...overrides }),
    apply(proxy) {
      proxy.hooks.onBanner.tap('tagger', (lines) => [...lines, 'tags: ' + tags.join(',')]);
    },
  };
}
`;

const flagPlugin = (name: string, flags: string) => `export default () => ({ name: '${name}', flags: [{ flags: '${flags}', description: 'x', toOptions: () => ({}) }], apply() {} });\n`;

let project: ReturnType<typeof tempProject> | undefined;
let cli: CliProcess | undefined;
afterEach(async () => {
  if (cli && cli.child.exitCode === null) {
    cli.child.kill('SIGKILL');
    await cli.exited;
  }
  cli = undefined;
  project?.cleanup();
  project = undefined;
});

/** A project whose capture.config.ts lists only the tagger plugin. */
function taggerProject(): ReturnType<typeof tempProject> {
  return tempProject({
    'tagger.mjs': TAGGER,
    'capture.config.ts': "import { defineConfig } from '@capture/core';\nimport tagger from './tagger.mjs';\nexport default defineConfig({ plugins: [tagger()] });\n",
  });
}

describe('flags declared by a plugin from capture.config.ts', () => {
  it('parses the flag (repeatable) and hands the value to the plugin through reconfigure', async () => {
    project = taggerProject();
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1', '--tag', 'one', '--tag', 'two'], { cwd: project.dir });
    await cli.waitFor(/^plugins: tagger$/m);
    expect(cli.stdout()).toMatch(/^tags: one,two$/m);
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('leaves the plugin as the config made it when the flag is not given', async () => {
    project = taggerProject();
    cli = startCli(['start', '--port', '0', '--host', '127.0.0.1'], { cwd: project.dir });
    await cli.waitFor(/^plugins: tagger$/m);
    expect(cli.stdout()).toMatch(/^tags: untagged$/m);
  });

  it('lists the flag in capture start --help under the plugin heading, beside the CLI flags and --config', async () => {
    project = taggerProject();
    const help = await runCliProcess(['start', '--help'], { cwd: project.dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^tagger options:\n +--tag <name> +tag this run \(repeatable\)$/m);
    expect(help.stdout).toMatch(/^ +-c, --config <file> +use this config file/m);
    // The plugin runs by default (it is in the config), so it can be turned off.
    expect(help.stdout).toMatch(/^ +--no-tagger +do not run the tagger plugin$/m);
  });

  it('a value the flag refuses is a usage error naming the flag (exit 2)', async () => {
    project = taggerProject();
    const result = await runCliProcess(['start', '--port', '0', '--tag', 'bad'], { cwd: project.dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('capture: --tag: "bad" is not a tag\n');
  });

  it('two plugins declaring one flag is one error naming both plugins; so is a plugin taking a flag of capture', async () => {
    project = tempProject({
      'one.mjs': flagPlugin('one', '--shared <x>'),
      'two.mjs': flagPlugin('two', '--shared'),
      'port.mjs': flagPlugin('porter', '-p, --port <n>'),
      'capture.config.json': '{ "plugins": ["./one.mjs", "./two.mjs"] }',
      'port.json': '{ "plugins": ["./port.mjs"] }',
    });
    const clash = await runCliProcess(['start', '--port', '0'], { cwd: project.dir });
    expect(clash.code).toBe(1);
    expect(clash.stderr).toBe('capture: plugins "one" and "two" both declare the capture start flag "--shared"\n');
    const taken = await runCliProcess(['--config', 'port.json', 'start'], { cwd: project.dir });
    expect(taken.code).toBe(1);
    expect(taken.stderr).toBe('capture: plugin "porter" declares the capture start flag "--port", which capture already has\n');
  });
});

describe('capture with one bad plugin or a broken config', () => {
  it('a plugin whose apply throws after history started its writer ends the start with exit 1 and one line naming it', async () => {
    project = tempProject({
      'boom.mjs': "export default () => ({ name: 'boom', apply() { throw new Error('no luck today'); } });\n",
      'capture.config.json': '{ "plugins": ["@capture/plugin-history", "./boom.mjs"] }',
    });
    symlinkSync(HISTORY_PACKAGE, path.join(project.dir, 'node_modules', '@capture', 'plugin-history'), 'dir');
    // Awaiting the exit is the check that nothing (the history writer thread) keeps it running.
    const result = await runCliProcess(['start', '--port', '0', '--host', '127.0.0.1'], { cwd: project.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^capture: .*"?boom"?.*no luck today\n$/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stdout).not.toContain('listening on');
  });

  it.each([
    [['greet', 'say', 'world']],
    [['-c', 'capture.config.json', 'greet', 'say', 'world']],
    [['history', 'list']],
  ])('a command run with a config that fails to load prints the config error (%j)', async (args) => {
    project = tempProject({ 'capture.config.json': '{ "plugins": ["./greeter.mjs", "./missing.mjs"] }', 'greeter.mjs': "export default () => ({ name: 'greeter', apply() {} });\n" });
    const result = await runCliProcess(args, { cwd: project.dir });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('capture: capture.config.json: plugins[1]: cannot find plugin "./missing.mjs" (is it installed, or is the path right?)\n');
  });
});

describe('the test kit', () => {
  it('runs capture with a fresh temporary data folder when none is given, and removes it afterwards', async () => {
    const result = await runCapture(['ca', 'path'], { bin: BIN });
    expect(result.code).toBe(0);
    const certificate = result.stdout.trim();
    expect(certificate.startsWith(path.join(os.tmpdir(), 'capture-test-home-'))).toBe(true);
    expect(existsSync(certificate)).toBe(false);
  });
});
