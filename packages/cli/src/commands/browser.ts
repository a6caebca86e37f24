import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CaptureError, type CapturePlugin, type CommandContext } from '@capture/core';
import type { CaInfo } from '@capture/plugin-https';
import { chromiumArgs } from '../browser/chromium.js';
import { findBrowser, type FoundBrowser } from '../browser/find.js';
import { firefoxArgs, writeFirefoxProfile } from '../browser/firefox.js';
import type { CliIo } from '../io.js';
import type { LoadedConfig } from '../load-config.js';
import type { BrowserFlags } from './browser-options.js';
import { DEFAULT_PROXY_PORT } from './env-options.js';
import { startProgramSession, type ProgramSession } from './program-session.js';
import { runChild } from './run.js';

export { addBrowserOptions, type BrowserFlags } from './browser-options.js';

/** What `capture browser` needs from the CLI. */
export interface BrowserDeps {
  readonly loaded: LoadedConfig;
  /** The plugins `capture start` would run with these flags (asked for only when capture is started here). */
  plugins(): CapturePlugin[];
  readonly context: CommandContext;
  readonly io: CliIo;
}

/**
 * `capture browser [URL]`: starts a browser with a fresh temporary profile that uses capture
 * and trusts its CA for that profile only, and removes the profile when the browser exits.
 * It starts its own capture (as `capture run` does) or, with `--attach`, uses a running one.
 * Resolves with the browser's exit code.
 */
export async function runBrowser(url: string | undefined, flags: BrowserFlags, deps: BrowserDeps): Promise<number> {
  const { io, context } = deps;
  const browser = findBrowser(flags.browser, io.env);
  const profile = await fs.mkdtemp(path.join(os.tmpdir(), 'capture-browser-'));
  let session: ProgramSession | undefined;
  let code: number;
  try {
    let port: number;
    let ca: CaInfo | undefined;
    if (flags.attach) {
      port = flags.port ?? DEFAULT_PROXY_PORT;
      const https = context.plugin?.('https')?.api;
      ca = https ? await https.ensureCa(context.dataDir) : undefined;
    } else {
      session = await startProgramSession(deps.loaded, flags, deps.plugins(), io, `browser:${browser.name}`);
      port = Number(new URL(session.address).port);
      ca = session.session.proxy.plugin('https')?.api?.ca;
    }
    const args = await launchArgs(browser, { port, ca, profile, headless: Boolean(flags.headless), url }, context, io);
    code = await runChild(browser.path, args, { ...io.env, ...profileEnvironment(profile) }, io);
  } finally {
    await session?.close();
    await fs.rm(profile, { recursive: true, force: true });
  }
  if (session) {
    const count = session.session.log.counts.captured;
    io.stderr.write(`captured ${count} exchange${count === 1 ? '' : 's'} from ${browser.name}\n`);
  }
  return code;
}

/**
 * Keeps what a browser writes outside its profile (Chromium's crash reports under
 * ~/.config/chromium, dconf's cache under ~/.cache) inside the temporary profile, removed with it.
 */
export function profileEnvironment(profile: string): NodeJS.ProcessEnv {
  return { XDG_CONFIG_HOME: path.join(profile, '.config'), XDG_CACHE_HOME: path.join(profile, '.cache'), XDG_DATA_HOME: path.join(profile, '.local', 'share') };
}

interface Launch {
  port: number;
  ca: CaInfo | undefined;
  profile: string;
  headless: boolean;
  url: string | undefined;
}

/** The browser's arguments, after preparing its profile (Firefox: prefs and an NSS store trusting the CA). */
async function launchArgs(browser: FoundBrowser, launch: Launch, context: CommandContext, io: CliIo): Promise<string[]> {
  if (browser.family === 'chromium') {
    return chromiumArgs({
      proxy: `http://127.0.0.1:${launch.port}`,
      spkiSha256: launch.ca?.spkiSha256,
      profile: launch.profile,
      headless: launch.headless,
      url: launch.url,
      root: process.getuid?.() === 0,
    });
  }
  await writeFirefoxProfile(launch.profile, { host: '127.0.0.1', port: launch.port });
  if (launch.ca) {
    const osCerts = context.plugin?.('os-certs')?.api;
    if (!osCerts) throw new CaptureError('PLUGIN_DEPENDENCY_MISSING', 'Firefox trusts capture through its own certificate store, which the os-certs plugin (@capture/plugin-os-certs) fills; it is not loaded');
    // certutil's progress goes to stderr: stdout is the page's (a headless run's) alone.
    await osCerts.runPlan(osCerts.profileTrustPlan(launch.profile, launch.ca), { stdout: io.stderr, stderr: io.stderr });
  }
  return firefoxArgs({ profile: launch.profile, headless: launch.headless, url: launch.url });
}
