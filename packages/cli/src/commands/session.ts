import type { Writable } from 'node:stream';
import pc from 'picocolors';
import { createProxy, type CaptureConfig, type CaptureProxy, type CapturePlugin, type ListenInfo } from '@capture/core';
import type { CliIo } from '../io.js';
import { lanAddresses } from '../lan.js';
import { liveLog, type LiveLogCounts } from '../logger-plugin.js';
import type { LoadedConfig } from '../load-config.js';
import { modeConfig, type ModeFlags } from './mode-flags.js';

/** The flags of `capture start` that the CLI itself handles (`capture run` and `capture browser` take them too). */
export interface StartFlags extends ModeFlags {
  port?: number;
  host?: string;
  json?: boolean;
  quiet?: boolean;
  /** Leave exchanges that are not captured (filtered) out of the live log; they are still counted. */
  hideFiltered?: boolean;
}

/** Where a session prints. */
export interface SessionStreams {
  /** The banner and the stop messages: stdout for `capture start` (stderr with `--json`), stderr for `capture run`. */
  banner: Writable;
  /** The live log's exchange lines: stdout for `capture start`, stderr for `capture run`, which keeps stdout for its program. */
  log: Writable;
  /** Whether to print in colour. */
  colours: boolean;
}

/** A proxy made from the config, the flags and the plugins, with the CLI's live log, not yet listening. */
export interface Session {
  readonly proxy: CaptureProxy;
  /** The live log, whose counts make the exit summary. */
  readonly log: ReturnType<typeof liveLog>;
  /** Where the banner goes. */
  readonly banner: Writable;
  /** Listens and prints the banner; rejects (after closing the proxy) when it cannot listen. */
  listen(): Promise<ListenInfo>;
}

/**
 * Creates the proxy `capture start`, `capture run` and `capture browser` run: the config with
 * `--port`/`--host` over it, `plugins` (chosen from the config and the flags), and the live log.
 * `overrides` go over the config and under the flags (`capture run` listens on a free loopback
 * port unless `--port`/`--host` say otherwise, whatever port the config gives `capture start`).
 * `internal` plugins are the CLI's own (left out of the banner's plugin list).
 */
export async function createSession(
  loaded: LoadedConfig,
  flags: StartFlags,
  plugins: readonly CapturePlugin[],
  io: CliIo,
  streams: SessionStreams = startStreams(flags, io),
  overrides: Pick<CaptureConfig, 'port' | 'host'> = {},
  internal: readonly CapturePlugin[] = [],
): Promise<Session> {
  const colours = pc.createColors(streams.colours);
  const log = liveLog({
    format: flags.quiet ? 'none' : flags.json ? 'json' : 'text',
    out: streams.log,
    err: io.stderr,
    colours: colours.isColorSupported,
    hideSkipped: Boolean(flags.hideFiltered),
  });
  const config: CaptureConfig = {
    ...loaded.config,
    ...overrides,
    ...(flags.port !== undefined ? { port: flags.port } : {}),
    ...(flags.host !== undefined ? { host: flags.host } : {}),
    ...modeConfig(flags, loaded.config),
  };
  const proxy = await createProxy({ ...config, plugins: [...plugins, ...internal, log] }, { source: loaded.filepath ? relativeSource(loaded, io) : 'config' });
  return {
    proxy,
    log,
    banner: streams.banner,
    async listen() {
      try {
        const info = await proxy.listen();
        printBanner(streams.banner, proxy, info, loaded, colours, [...internal, log]);
        return info;
      } catch (error) {
        await proxy.close();
        throw error;
      }
    },
  };
}

/** `capture start`'s streams: the banner on stdout (stderr with `--json`, so stdout is JSON only), colours on a terminal. */
function startStreams(flags: StartFlags, io: CliIo): SessionStreams {
  return { banner: flags.json ? io.stderr : io.stdout, log: io.stdout, colours: Boolean(io.stdout.isTTY) && pc.isColorSupported && !io.env.NO_COLOR };
}

/** Colours for output on stderr (what `capture run` prints on), for a terminal only. */
export function stderrColours(io: CliIo): boolean {
  return Boolean(io.stderr.isTTY) && pc.isColorSupported && !io.env.NO_COLOR;
}

function printBanner(
  banner: Writable,
  proxy: CaptureProxy,
  info: ListenInfo,
  loaded: LoadedConfig,
  colours: ReturnType<typeof pc.createColors>,
  internal: readonly CapturePlugin[],
): void {
  const where = `http://${info.host.includes(':') ? `[${info.host}]` : info.host}:${info.port}`;
  banner.write(`${colours.bold('capture')} ${proxy.version} proxy\n`);
  if (loaded.filepath) banner.write(`config: ${loaded.filepath}\n`);
  banner.write(`listening on ${where}\n`);
  const mode = proxy.mode;
  banner.write(`mode: ${mode.description}\n`);
  const allInterfaces = info.host === '0.0.0.0' || info.host === '::';
  for (const address of allInterfaces ? lanAddresses() : []) {
    if (mode.reverse) banner.write(`point your app at ${colours.bold(`http://${address}:${info.port}`)} instead of ${mode.reverse}\n`);
    else banner.write(`set the HTTP proxy of your device to ${colours.bold(`${address}:${info.port}`)}\n`);
  }
  if (proxy.config.reverseTls && !proxy.plugin('https')) {
    banner.write(`${colours.yellow('warning:')} --reverse-tls needs the https plugin; without it HTTPS connections are tunnelled to ${mode.reverse ?? 'the origin'} uncaptured\n`);
  }
  if (info.host === '127.0.0.1' || info.host === 'localhost' || info.host === '::1') {
    banner.write('only this machine can connect (use --host 0.0.0.0 to let devices on your network in)\n');
  }
  // Pages plugins serve on the proxy itself (the CA download), at the address a device uses.
  const deviceHost = (allInterfaces ? lanAddresses()[0] : undefined) ?? (allInterfaces ? '127.0.0.1' : info.host);
  // In reverse mode every request in origin form goes to the origin: the proxy's own pages are not served.
  for (const link of mode.reverse ? [] : proxy.hooks.onInfoPage.call([])) {
    banner.write(`${link.title}: http://${deviceHost.includes(':') ? `[${deviceHost}]` : deviceHost}:${info.port}${link.href}\n`);
  }
  // Lines plugins print for the person at this terminal (the web view's URL with its token).
  for (const line of proxy.hooks.onBanner.call([])) banner.write(`${line}\n`);
  // The CLI's own plugins (the live log, capture run's counter) are not the user's to know about.
  const names = proxy.plugins.filter((plugin) => !internal.includes(plugin)).map((plugin) => plugin.name);
  banner.write(`plugins: ${names.join(', ') || '(none)'}\n`);
}

/**
 * The exit summary: `3 captured, 2 filtered, 1 skipped as media`, then other skips and failures
 * when there were any. Media exchanges are among the captured ones (stored without their body).
 */
export function formatCounts(counts: LiveLogCounts): string {
  const parts = [`${counts.captured} captured`, `${counts.filtered} filtered`, `${counts.media} skipped as media`];
  const blind = counts.blind;
  if (blind) parts.push(`${blind} tunnelled blindly`);
  if (counts.skipped > counts.filtered + blind) parts.push(`${counts.skipped - counts.filtered - blind} not captured for other reasons`);
  if (counts.errors) parts.push(`${counts.errors} failed`);
  return parts.join(', ');
}

function relativeSource(loaded: LoadedConfig, io: CliIo): string {
  const file = loaded.filepath!;
  return file.startsWith(`${io.cwd}/`) ? file.slice(io.cwd.length + 1) : file;
}

