import type { CapturePlugin } from '@capture/core';
import type { CliIo } from '../io.js';
import type { LoadedConfig } from '../load-config.js';
import { createSession, formatCounts, type StartFlags } from './session.js';

export type { StartFlags } from './session.js';
export { formatCounts } from './session.js';
export { parsePort } from './port.js';

/** A signal this soon after the first is the same keypress delivered twice, not a second press. */
const REPEATED_SIGNAL_MS = 1_000;

/**
 * Runs the proxy with `plugins` (chosen from the config and the flags) until SIGINT or SIGTERM:
 * prints where it listens and how a device uses it, then one line per exchange. Resolves with
 * the exit code once it has closed; a second signal (more than a second after the first) exits at once with 130.
 */
export async function runStart(loaded: LoadedConfig, flags: StartFlags, plugins: readonly CapturePlugin[], io: CliIo): Promise<number> {
  const { proxy, log, banner, listen } = await createSession(loaded, flags, plugins, io);

  // Signal handlers go in before anything is printed: a script that stops capture as soon as it
  // reads the "listening on" line must get a graceful close, not Node's default exit.
  let stoppingSince: number | undefined;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const stop = (signal: NodeJS.Signals) => {
    if (stoppingSince !== undefined) {
      // One Ctrl-C often arrives twice: the terminal signals the whole process group and a parent
      // such as pnpm or npm forwards it again. Only a second press, later, forces the exit.
      if (performance.now() - stoppingSince < REPEATED_SIGNAL_MS) return;
      banner.write('capture: forced exit\n');
      process.exit(130);
    }
    stoppingSince = performance.now();
    banner.write(`\n${signal === 'SIGINT' ? 'stopping' : `stopping (${signal})`}: finishing in-flight exchanges…\n`);
    void proxy.close().then(
      () => {
        banner.write(`stopped: ${formatCounts(log.counts)}\n`);
        resolveExit(0);
      },
      (error: unknown) => {
        io.stderr.write(`capture: ${error instanceof Error ? error.message : String(error)}\n`);
        resolveExit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await listen();
    return await exited;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
