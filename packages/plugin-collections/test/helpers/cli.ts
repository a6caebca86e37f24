import * as kit from '../../../cli/dist/testing/index.js';

/*
 * The CLI child-process helpers, from the public test kit `@capture/cli/testing`, with this
 * package's (home, cwd) signatures. The plugin cannot depend on @capture/cli (the CLI depends
 * on it), so the kit is imported from the CLI's build; turbo.json waits for that build.
 */
export { CAPTURE_BIN, killIfRunning, type CaptureProcess } from '../../../cli/dist/testing/index.js';

/** Starts `capture ...args` with its data folder (CAPTURE_HOME) in `home`, working in `cwd` (default `home`). */
export function startCapture(args: string[], home: string, cwd = home): kit.CaptureProcess {
  return kit.startCapture(args, { home, cwd });
}

/** Starts `capture start` on a free loopback port and resolves once it listens. */
export function startProxyProcess(home: string, args: string[]): Promise<kit.CaptureProcess & { port: number }> {
  return kit.startProxyProcess({ home }, args);
}

/** Runs `capture ...args` to completion. */
export function runCapture(args: string[], home: string, cwd = home): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return kit.runCapture(args, { home, cwd });
}
