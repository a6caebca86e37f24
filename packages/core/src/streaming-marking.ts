import v8 from 'node:v8';

/** How long after the last large-body collection incremental marking comes back. */
export const QUIET_MS = 2_000;

/** Node's command line already chose V8's marking mode: the user's choice wins. */
const USER_CHOICE = /^--(no-)?incremental[-_]marking$/;

/** Turns V8's incremental marking on or off (read each time V8 could start marking). */
export type SetIncrementalMarking = (on: boolean) => void;

const setIncrementalMarking: SetIncrementalMarking = (on) => v8.setFlagsFromString(on ? '--incremental-marking' : '--no-incremental-marking');

/**
 * Pauses V8's incremental marking while large bodies stream, so the old generation is collected
 * in one pause when its limit is reached instead.
 *
 * Why: when a large body streamed through a proxy that had been idle a few seconds (a 512 MiB
 * HTTPS download), V8 kept starting incremental marking from a task with the old generation at
 * half its limit (15 of 31 MB) and ran 35-40 full collections in one download (0-1 paused;
 * http-mitm-proxy had 0-1): a third of the proxy's CPU, 4.5-6.5 s/GiB instead of 3.0-4.0, and
 * 190-230 MiB/s instead of 250-340. Heap sizes cannot be changed after start
 * (`--initial-old-space-size` and `--min-semi-space-size` also ended the loop, on the command
 * line only). Marking comes back {@link QUIET_MS} after the flow stops: turned off for good, V8's
 * memory reducer (which marks incrementally) no longer returned an idle proxy's start-up
 * garbage, and idle RSS stayed at 73.5 MiB instead of 66.
 */
export class MarkingPause {
  #paused = false;
  #timer: NodeJS.Timeout | undefined;
  readonly #set: SetIncrementalMarking;
  readonly #quietMs: number;
  readonly #allowed: boolean;

  /**
   * @param set how marking is switched; V8's flag by default.
   * @param quietMs how long after the last {@link MarkingPause.streaming} marking comes back.
   * @param execArgv Node's options: with `--incremental-marking` or `--no-incremental-marking`
   *   among them, this never switches anything.
   */
  constructor(set: SetIncrementalMarking = setIncrementalMarking, quietMs = QUIET_MS, execArgv: readonly string[] = process.execArgv) {
    this.#set = set;
    this.#quietMs = quietMs;
    this.#allowed = !execArgv.some((arg) => USER_CHOICE.test(arg));
  }

  /** True while marking is paused. */
  get paused(): boolean {
    return this.#paused;
  }

  /** A large body is streaming: marking stays paused until `quietMs` pass without another call. */
  streaming(): void {
    if (!this.#allowed) return;
    if (!this.#paused) {
      this.#paused = true;
      this.#set(false);
    }
    if (this.#timer) this.#timer.refresh();
    else {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#paused = false;
        this.#set(true);
      }, this.#quietMs);
      // Housekeeping: never what keeps the process alive.
      this.#timer.unref();
    }
  }
}
