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
