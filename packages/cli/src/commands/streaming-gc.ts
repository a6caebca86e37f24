import v8 from 'node:v8';

/** The V8 flag this module sets, and the one a user gives to keep V8's default. */
const FLAG = '--no-incremental-marking';
const USER_CHOICE = /--(no-)?incremental[-_]marking\b/;

/**
 * Makes V8 collect the old generation in one pause when its limit is reached instead of
 * marking incrementally, for the process that runs the proxy (`capture start`, `run`,
 * `browser`): the CLI owns that process, so the library (`@capture/core`) leaves V8 alone.
 *
 * Why: when a large body streams through a proxy that had been idle a few seconds (a 512 MiB
 * HTTPS download), V8 kept starting incremental marking from a task with the old generation at
 * half its limit (15 of 31 MB), and ran 35-40 full collections in one download (1 with this
 * flag, 0-1 for http-mitm-proxy): a third of the proxy's CPU, 4.5-6.5 s/GiB instead of 3.0-4.0,
 * and 190-230 MiB/s instead of 250-340. Flags given after start cannot resize V8's heap
 * (`--initial-old-space-size` and `--min-semi-space-size` also ended it, on the command line
 * only); this one is read each time marking could start.
 * Keep-alive load (no full collection in 5 s either way) and idle memory were unchanged.
 * Pauses are still short: the live heap is tens of MB and V8 marks it in parallel.
 *
 * Left as V8 has it when Node's command line already says `--incremental-marking` or
 * `--no-incremental-marking` (the user's choice wins). Returns true when the flag was set.
 */
export function collectOldGenerationAtOnce(execArgv: readonly string[] = process.execArgv): boolean {
  if (execArgv.some((arg) => USER_CHOICE.test(arg))) return false;
  v8.setFlagsFromString(FLAG);
  return true;
}
