import type { Command } from 'commander';
import { DEFAULT_PROXY_PORT } from './env-options.js';
import type { StartFlags } from './session.js';

/** The flags of `capture browser` beyond `capture start`'s. */
export interface BrowserFlags extends StartFlags {
  /** `chromium`, `chrome`, `edge`, `firefox` or a path to the executable. */
  browser?: string;
  /** Without a window; with a URL, close once the page has loaded. */
  headless?: boolean;
  /** Join the capture running on `--port` (default 5555) instead of starting one. */
  attach?: boolean;
}

/** Adds `capture browser`'s options. */
export function addBrowserOptions(command: Command): Command {
  return command
    .option('--browser <name>', 'chromium, chrome, edge, firefox or the path of one (default: the first of them installed)')
    .option('--headless', 'run without a window; with a URL, close the browser (and capture) once the page has loaded')
    .option('--attach', `use the capture already running on --port (default ${DEFAULT_PROXY_PORT}) instead of starting one`);
}
