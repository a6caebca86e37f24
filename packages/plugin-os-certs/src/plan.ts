/**
 * What installing into or removing from one store means, as data: the runner executes it, and
 * `--dry-run` prints it, so what is printed is exactly what runs.
 */
export interface Plan {
  /** The target it was made for. */
  readonly target: string;
  /** One line: what it does, e.g. `install capture proxy CA 1a2b3c4d into the Debian/Ubuntu system store`. */
  readonly summary: string;
  /** True when its steps need root (Administrator rights are handled inside the Windows plan). */
  readonly needsRoot: boolean;
  /** The steps, in order. */
  readonly steps: readonly Step[];
  /** Printed after the steps ran (restart Firefox, what else may need the CA, …). */
  readonly notes: readonly string[];
  /** Printed instead of running anything, for stores only a person can change (phones). */
  readonly guidance?: string;
}

/** Creates a folder and its parents (`mkdir -p`). */
export interface MkdirStep {
  readonly type: 'mkdir';
  readonly path: string;
}

/** Copies a file (`cp FROM TO`). */
export interface CopyStep {
  readonly type: 'copy';
  readonly from: string;
  readonly to: string;
}

/** Removes a file if it is there (`rm -f PATH`). */
export interface RemoveStep {
  readonly type: 'remove';
  readonly path: string;
}

/** Writes a text file (printed as a here-document). */
export interface WriteStep {
  readonly type: 'write';
  readonly path: string;
  readonly contents: string;
}

/** Runs a program. */
export interface RunStep {
  readonly type: 'run';
  readonly command: string;
  readonly args: readonly string[];
  /** What to do when the program is missing, e.g. `install it with: sudo apt-get install libnss3-tools`. */
  readonly install?: string;
  /** What undoes it when a later step fails, e.g. `certutil -D` for `certutil -A`. */
  readonly undo?: { readonly command: string; readonly args: readonly string[] };
}

/** One step of a plan. */
export type Step = MkdirStep | CopyStep | RemoveStep | WriteStep | RunStep;

/** Quotes a word for a POSIX shell only when it needs it, so printed commands stay readable and exact. */
export function shellQuote(word: string): string {
  if (word !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A step as the shell command that does the same. */
export function stepToShell(step: Step): string {
  switch (step.type) {
    case 'mkdir':
      return `mkdir -p ${shellQuote(step.path)}`;
    case 'copy':
      return `cp ${shellQuote(step.from)} ${shellQuote(step.to)}`;
    case 'remove':
      return `rm -f ${shellQuote(step.path)}`;
    case 'write':
      return `cat > ${shellQuote(step.path)} <<'EOF'\n${step.contents.endsWith('\n') ? step.contents : `${step.contents}\n`}EOF`;
    case 'run':
      return [step.command, ...step.args].map(shellQuote).join(' ');
  }
}

/** A step on one line, for progress and errors (a write shows its file, not its contents). */
export function stepLabel(step: Step): string {
  return step.type === 'write' ? `write ${shellQuote(step.path)}` : stepToShell(step);
}

/** The one line a user without root runs instead: every step under `sudo`, in order. */
export function sudoLine(steps: readonly Step[]): string {
  const lines = steps.map(stepToShell);
  if (lines.length === 1 && steps[0]!.type === 'run') return `sudo ${lines[0]}`;
  return `sudo sh -c ${shellQuote(lines.join(' && '))}`;
}
