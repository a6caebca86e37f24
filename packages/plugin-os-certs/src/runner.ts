import { promises as fs } from 'node:fs';
import type { Writable } from 'node:stream';
import { CaptureError } from '@capture/core';
import type { Exec } from './exec.js';
import { stepLabel, stepToShell, sudoLine, type Plan, type Step } from './plan.js';

/** How to run a plan. */
export interface RunPlanOptions {
  /** Print the plan instead of running it. */
  dryRun: boolean;
  /** True when running as root (Administrator on Windows): plans that need root check it. */
  elevated: boolean;
  /** Runs the plan's programs. */
  exec: Exec;
  /** Where the plan's commands (dry run) and results go. */
  stdout: Writable;
  /** Where progress, notes and failures go. */
  stderr: Writable;
}

/** What undoes one step that ran, for rolling back after a later step fails. */
type Undo = () => Promise<void>;

/**
 * Executes a plan, or prints it with `dryRun` (its commands alone on stdout, one per line, so
 * they can be read or piped to a shell). Without the root a plan needs, nothing runs and the
 * error gives the exact `sudo` line. A failing step shows its output and undoes the steps
 * before it, newest first, so a store is never left half-changed.
 */
export async function runPlan(plan: Plan, options: RunPlanOptions): Promise<void> {
  const { stdout, stderr } = options;
  if (plan.guidance) stdout.write(plan.guidance);
  if (plan.steps.length === 0) {
    if (!plan.guidance) stderr.write(`nothing to do: ${plan.summary}\n`);
    for (const note of plan.notes) stderr.write(`${note}\n`);
    return;
  }
  if (options.dryRun) {
    stderr.write(`would ${plan.summary}${plan.needsRoot ? ' (needs root)' : ''}:\n`);
    for (const step of plan.steps) stdout.write(`${stepToShell(step)}\n`);
    return;
  }
  if (plan.needsRoot && !options.elevated) {
    throw new CaptureError('NEEDS_ROOT', `${plan.target}: to ${plan.summary} capture needs root; nothing was changed. Run: ${sudoLine(plan.steps)}`);
  }
  const done: Undo[] = [];
  for (const [index, step] of plan.steps.entries()) {
    stderr.write(`  ${stepLabel(step)}\n`);
    try {
      done.push(await runStep(step, options.exec));
    } catch (error) {
      const undone = await rollBack(done, stderr);
      const detail = error instanceof StepFailure ? error.message : `${stepLabel(step)} failed (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`;
      if (error instanceof StepFailure && error.output) stderr.write(`${error.output.trimEnd()}\n`);
      const rolled = index === 0 ? 'nothing was changed' : undone ? `undid the ${index} step${index === 1 ? '' : 's'} before it` : `undoing the steps before it failed too (see above)`;
      throw new CaptureError('OS_CERTS_FAILED', `${plan.target}: ${detail}; ${rolled}`, { cause: error });
    }
  }
  stdout.write(`${plan.summary.replace(/^(install|remove)/, (verb) => (verb === 'install' ? 'installed' : 'removed'))}\n`);
  for (const note of plan.notes) stderr.write(`${note}\n`);
}

/** A program that failed, with its output. */
class StepFailure extends Error {
  constructor(message: string, readonly output: string) {
    super(message);
  }
}

async function runStep(step: Step, exec: Exec): Promise<Undo> {
  switch (step.type) {
    case 'mkdir': {
      const created = await fs.mkdir(step.path, { recursive: true });
      return async () => {
        if (created) await fs.rm(created, { recursive: true, force: true });
      };
    }
    case 'copy': {
      const previous = await readIfThere(step.to);
      await fs.copyFile(step.from, step.to);
      return restore(step.to, previous);
    }
    case 'write': {
      const previous = await readIfThere(step.path);
      await fs.writeFile(step.path, step.contents);
      return restore(step.path, previous);
    }
    case 'remove': {
      const previous = await readIfThere(step.path);
      await fs.rm(step.path, { force: true });
      return restore(step.path, previous);
    }
    case 'run': {
      const line = stepLabel(step);
      const result = await exec(step.command, step.args);
      if (result.missing) throw new StepFailure(`${step.command} not found${step.install ? `; ${step.install}` : ''}`, '');
      if (result.code !== 0) throw new StepFailure(`"${line}" failed (exit ${result.code ?? 'by signal'})`, result.output);
      const undo = step.undo;
      return async () => {
        if (!undo) return;
        const undone = await exec(undo.command, undo.args);
        if (undone.code !== 0) throw new StepFailure(`"${[undo.command, ...undo.args].join(' ')}" failed`, undone.output);
      };
    }
  }
}

/** Undoes steps newest first; true when every undo worked (failures are printed, the rest still run). */
async function rollBack(done: Undo[], stderr: Writable): Promise<boolean> {
  let ok = true;
  for (const undo of done.reverse()) {
    try {
      await undo();
    } catch (error) {
      ok = false;
      stderr.write(`could not undo a step: ${(error as Error).message}\n`);
      if (error instanceof StepFailure && error.output) stderr.write(`${error.output.trimEnd()}\n`);
    }
  }
  return ok;
}

async function readIfThere(file: string): Promise<Buffer | undefined> {
  try {
    return await fs.readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function restore(file: string, previous: Buffer | undefined): Undo {
  return () => (previous === undefined ? fs.rm(file, { force: true }) : fs.writeFile(file, previous));
}
