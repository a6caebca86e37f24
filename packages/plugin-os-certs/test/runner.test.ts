import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createExec } from '../src/exec.js';
import type { Plan } from '../src/plan.js';
import { runPlan } from '../src/runner.js';
import { sink, tempDir } from './helpers/env.js';

let folder: ReturnType<typeof tempDir>;
beforeEach(() => {
  folder = tempDir();
});
afterEach(() => folder.cleanup());

const exec = createExec();
const run = (plan: Plan, options: { dryRun?: boolean; elevated?: boolean } = {}) => {
  const stdout = sink();
  const stderr = sink();
  const done = runPlan(plan, { dryRun: options.dryRun ?? false, elevated: options.elevated ?? true, exec, stdout, stderr });
  return { done, stdout, stderr };
};

describe('the plan runner', () => {
  it('--dry-run prints exactly the commands on stdout and changes nothing', async () => {
    const source = path.join(folder.dir, 'ca.crt');
    writeFileSync(source, 'pem');
    const target = path.join(folder.dir, 'store', 'capture-proxy-ca.crt');
    const plan: Plan = {
      target: 'test',
      summary: 'install the CA into a test store',
      needsRoot: true,
      steps: [
        { type: 'mkdir', path: path.dirname(target) },
        { type: 'copy', from: source, to: target },
        { type: 'run', command: 'touch', args: [path.join(folder.dir, 'ran')] },
      ],
      notes: [],
    };
    const { done, stdout, stderr } = run(plan, { dryRun: true, elevated: false });
    await done;
    expect(stdout.text()).toBe(`mkdir -p ${path.dirname(target)}\ncp ${source} ${target}\ntouch ${folder.dir}/ran\n`);
    expect(stderr.text()).toBe('would install the CA into a test store (needs root):\n');
    expect(existsSync(path.dirname(target))).toBe(false);
    expect(existsSync(path.join(folder.dir, 'ran'))).toBe(false);
  });

  it('without the root a plan needs, changes nothing and gives one line with the sudo command', async () => {
    const marker = path.join(folder.dir, 'ran');
    const plan: Plan = {
      target: 'debian',
      summary: 'install X into the Debian/Ubuntu system store',
      needsRoot: true,
      steps: [{ type: 'run', command: 'touch', args: [marker] }, { type: 'run', command: 'update-ca-certificates', args: [] }],
      notes: [],
    };
    const { done } = run(plan, { elevated: false });
    await expect(done).rejects.toMatchObject({
      code: 'NEEDS_ROOT',
      message: `debian: to install X into the Debian/Ubuntu system store capture needs root; nothing was changed. Run: sudo sh -c 'touch ${marker} && update-ca-certificates'`,
    });
    expect(existsSync(marker)).toBe(false);
  });

  it('a failing step shows its output and undoes the steps before it, newest first', async () => {
    const made = path.join(folder.dir, 'made');
    const kept = path.join(folder.dir, 'kept.txt');
    writeFileSync(kept, 'before');
    const touched = path.join(folder.dir, 'touched');
    const plan: Plan = {
      target: 'test',
      summary: 'install into a store that breaks',
      needsRoot: false,
      steps: [
        { type: 'mkdir', path: path.join(made, 'deeper') },
        { type: 'copy', from: kept, to: path.join(made, 'deeper', 'copy.txt') },
        { type: 'write', path: kept, contents: 'after' },
        { type: 'run', command: 'touch', args: [touched], undo: { command: 'rm', args: [touched] } },
        { type: 'run', command: 'sh', args: ['-c', 'echo the store is broken >&2; exit 3'] },
      ],
      notes: [],
    };
    const { done, stderr } = run(plan);
    await expect(done).rejects.toThrow(`test: "sh -c 'echo the store is broken >&2; exit 3'" failed (exit 3); undid the 4 steps before it`);
    expect(stderr.text()).toContain('the store is broken\n');
    expect(existsSync(made)).toBe(false);
    expect(readFileSync(kept, 'utf8')).toBe('before');
    expect(existsSync(touched)).toBe(false);
  });

  it('a missing program is named with the package to install, and a removed file comes back', async () => {
    const file = path.join(folder.dir, 'anchor.crt');
    writeFileSync(file, 'anchor');
    const plan: Plan = {
      target: 'nss',
      summary: 'remove from a store',
      needsRoot: false,
      steps: [{ type: 'remove', path: file }, { type: 'run', command: 'capture-no-such-certutil', args: ['-L'], install: 'install it with: sudo apt-get install libnss3-tools' }],
      notes: [],
    };
    const { done } = run(plan);
    await expect(done).rejects.toThrow('nss: capture-no-such-certutil not found; install it with: sudo apt-get install libnss3-tools; undid the 1 step before it');
    expect(readFileSync(file, 'utf8')).toBe('anchor');
  });

  it('runs a plan, prints what it did and its notes; an empty plan says there is nothing to do', async () => {
    mkdirSync(path.join(folder.dir, 'x'));
    const ok = run({ target: 't', summary: 'install A into B', needsRoot: false, steps: [{ type: 'remove', path: path.join(folder.dir, 'x', 'nothing') }], notes: ['restart it'] });
    await ok.done;
    expect(ok.stdout.text()).toBe('installed A into B\n');
    expect(ok.stderr.text()).toBe(`  rm -f ${folder.dir}/x/nothing\nrestart it\n`);
    const empty = run({ target: 't', summary: 'install A into B', needsRoot: true, steps: [], notes: ['A is already trusted in B'] }, { elevated: false });
    await empty.done;
    expect(empty.stderr.text()).toBe('nothing to do: install A into B\nA is already trusted in B\n');
  });
});
