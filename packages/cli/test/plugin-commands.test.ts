import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess, tempProject } from './helpers/cli-process.js';

const GREETER = `
export default function greeter() {
  return {
    name: 'greeter',
    apply() {},
    commands: [
      {
        name: 'greet',
        description: 'greetings from a plugin',
        subcommands: [
          {
            name: 'say',
            description: 'say hello',
            arguments: [{ name: 'who', description: 'who to greet', required: true }],
            options: [
              { flags: '--shout', description: 'in capitals' },
              { flags: '--times <n>', description: 'how often', defaultValue: '1' },
            ],
            run({ args, options, context }) {
              const text = 'hello ' + args[0] + ' from ' + context.dataDir;
              for (let i = 0; i < Number(options.times); i++) context.stdout.write((options.shout ? text.toUpperCase() : text) + '\\n');
              return args[0] === 'nobody' ? 3 : 0;
            },
          },
          {
            name: 'fail',
            description: 'fails',
            run() { throw new Error('the greeting failed'); },
          },
        ],
      },
    ],
  };
}
`;

let project: ReturnType<typeof tempProject> | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

describe('plugin subcommands', () => {
  it('runs a subcommand contributed by a plugin from the config, with arguments, options and the data folder', async () => {
    project = tempProject({ 'greeter.mjs': GREETER, 'capture.config.json': '{ "plugins": ["./greeter.mjs"] }' });
    const result = await runCliProcess(['greet', 'say', 'world', '--shout', '--times', '2'], { cwd: project.dir });
    expect(result.code).toBe(0);
    const line = `HELLO WORLD FROM ${project.dir}/.capture-home`.toUpperCase();
    expect(result.stdout).toBe(`${line}\n${line}\n`);
  });

  it('passes the exit code through and reports failures in one line', async () => {
    project = tempProject({ 'greeter.mjs': GREETER, 'capture.config.json': '{ "plugins": ["./greeter.mjs"] }' });
    expect((await runCliProcess(['greet', 'say', 'nobody'], { cwd: project.dir })).code).toBe(3);
    const failed = await runCliProcess(['greet', 'fail'], { cwd: project.dir });
    expect(failed.code).toBe(1);
    expect(failed.stderr.trim()).toBe('capture: the greeting failed');
  });

  it('lists plugin commands in --help and rejects a missing argument with exit 2', async () => {
    project = tempProject({ 'greeter.mjs': GREETER, 'capture.config.json': '{ "plugins": ["./greeter.mjs"] }' });
    expect((await runCliProcess(['--help'], { cwd: project.dir })).stdout).toContain('greet');
    const missing = await runCliProcess(['greet', 'say'], { cwd: project.dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'who'");
  });
});

const GROUP_PLUGIN = (plugin: string, sub: string) => `
export default function p() {
  return {
    name: '${plugin}',
    apply() {},
    commands: [{ name: 'greet', description: 'greetings from ${plugin}', subcommands: [
      { name: '${sub}', description: '${sub} from ${plugin}', run({ context }) { context.stdout.write('${sub} by ${plugin}\\n'); } },
    ] }],
  };
}
`;

describe('command groups from several plugins', () => {
  it('merges groups of the same name: each plugin adds its subcommands to one group', async () => {
    project = tempProject({
      'one.mjs': GROUP_PLUGIN('one', 'hello'),
      'two.mjs': GROUP_PLUGIN('two', 'bye'),
      'capture.config.json': '{ "plugins": ["./one.mjs", "./two.mjs"] }',
    });
    expect((await runCliProcess(['greet', 'hello'], { cwd: project.dir })).stdout).toBe('hello by one\n');
    expect((await runCliProcess(['greet', 'bye'], { cwd: project.dir })).stdout).toBe('bye by two\n');
    const help = await runCliProcess(['greet', '--help'], { cwd: project.dir });
    expect(help.stdout).toMatch(/hello +hello from one/);
    expect(help.stdout).toMatch(/bye +bye from two/);
  });

  it('two plugins adding the same subcommand, or a command capture has, is one clear error naming them', async () => {
    project = tempProject({
      'one.mjs': GROUP_PLUGIN('one', 'hello'),
      'two.mjs': GROUP_PLUGIN('two', 'hello'),
      'start.mjs': `export default () => ({ name: 'starter', apply() {}, commands: [{ name: 'start', description: 'x', run() {} }] });`,
      'capture.config.json': '{ "plugins": ["./one.mjs", "./two.mjs"] }',
      'start.json': '{ "plugins": ["./start.mjs"] }',
    });
    const clash = await runCliProcess(['greet', 'hello'], { cwd: project.dir });
    expect(clash.code).toBe(1);
    expect(clash.stderr).toBe('capture: plugin "two" adds the command "capture greet hello", which plugin "one" already has\n');
    const builtIn = await runCliProcess(['--config', 'start.json', 'start'], { cwd: project.dir });
    expect(builtIn.code).toBe(1);
    expect(builtIn.stderr).toBe('capture: plugin "starter" adds the command "capture start", which capture already has\n');
  });
});
