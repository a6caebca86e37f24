import pc from 'picocolors';
import { CaptureError, createProxy, type CaptureConfig, type CaptureProxy, type CapturePlugin, type ListenInfo } from '@capture/core';
import type { CliIo } from '../io.js';
import { lanAddresses } from '../lan.js';
import { liveLog, type LiveLogCounts } from '../logger-plugin.js';
import type { LoadedConfig } from '../load-config.js';

/** The flags of `capture start` that the CLI itself handles. */
export interface StartFlags {
  port?: number;
  host?: string;
  json?: boolean;
  quiet?: boolean;
  /** Leave exchanges that are not captured (filtered) out of the live log; they are still counted. */
  hideFiltered?: boolean;
}

/**
 * Runs the proxy with `plugins` (chosen from the config and the flags) until SIGINT or SIGTERM:
 * prints where it listens and how a device uses it, then one line per exchange. Resolves with
 * the exit code once it has closed; a second signal exits at once with 130.
 */
export async function runStart(loaded: LoadedConfig, flags: StartFlags, plugins: readonly CapturePlugin[], io: CliIo): Promise<number> {
  const banner = flags.json ? io.stderr : io.stdout;
  const colours = pc.createColors(Boolean(io.stdout.isTTY) && pc.isColorSupported && !io.env.NO_COLOR);
  const log = liveLog({
    format: flags.quiet ? 'none' : flags.json ? 'json' : 'text',
    out: io.stdout,
    err: io.stderr,
    colours: colours.isColorSupported,
    hideSkipped: Boolean(flags.hideFiltered),
  });
  const config: CaptureConfig = {
    ...loaded.config,
    ...(flags.port !== undefined ? { port: flags.port } : {}),
    ...(flags.host !== undefined ? { host: flags.host } : {}),
  };
  const proxy = await createProxy({ ...config, plugins: [...plugins, log] }, { source: loaded.filepath ? relativeSource(loaded, io) : 'config' });

  // Signal handlers go in before anything is printed: a script that stops capture as soon as it
  // reads the "listening on" line must get a graceful close, not Node's default exit.
  let stopping = false;
  let resolveExit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (resolveExit = resolve));
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      banner.write('capture: forced exit\n');
      process.exit(130);
    }
    stopping = true;
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
    const info = await proxy.listen();
    printBanner(banner, proxy, info, loaded, colours, log);
    return await exited;
  } catch (error) {
    await proxy.close();
    throw error;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

function printBanner(
  banner: NodeJS.WritableStream,
  proxy: CaptureProxy,
  info: ListenInfo,
  loaded: LoadedConfig,
  colours: ReturnType<typeof pc.createColors>,
  log: CapturePlugin,
): void {
  const where = `http://${info.host.includes(':') ? `[${info.host}]` : info.host}:${info.port}`;
  banner.write(`${colours.bold('capture')} ${proxy.version} proxy\n`);
  if (loaded.filepath) banner.write(`config: ${loaded.filepath}\n`);
  banner.write(`listening on ${where}\n`);
  const allInterfaces = info.host === '0.0.0.0' || info.host === '::';
  for (const address of allInterfaces ? lanAddresses() : []) {
    banner.write(`set the HTTP proxy of your device to ${colours.bold(`${address}:${info.port}`)}\n`);
  }
  if (info.host === '127.0.0.1' || info.host === 'localhost' || info.host === '::1') {
    banner.write('only this machine can connect (use --host 0.0.0.0 to let devices on your network in)\n');
  }
  // Pages plugins serve on the proxy itself (the CA download), at the address a device uses.
  const deviceHost = (allInterfaces ? lanAddresses()[0] : undefined) ?? (allInterfaces ? '127.0.0.1' : info.host);
  for (const link of proxy.hooks.onInfoPage.call([])) {
    banner.write(`${link.title}: http://${deviceHost.includes(':') ? `[${deviceHost}]` : deviceHost}:${info.port}${link.href}\n`);
  }
  // Lines plugins print for the person at this terminal (the web view's URL with its token).
  for (const line of proxy.hooks.onBanner.call([])) banner.write(`${line}\n`);
  const names = proxy.plugins.filter((plugin) => plugin !== log).map((plugin) => plugin.name);
  banner.write(`plugins: ${names.join(', ') || '(none)'}\n`);
}

/**
 * The exit summary: `3 captured, 2 filtered, 1 skipped as media`, then other skips and failures
 * when there were any. Media exchanges are among the captured ones (stored without their body).
 */
export function formatCounts(counts: LiveLogCounts): string {
  const parts = [`${counts.captured} captured`, `${counts.filtered} filtered`, `${counts.media} skipped as media`];
  if (counts.skipped > counts.filtered) parts.push(`${counts.skipped - counts.filtered} not captured for other reasons`);
  if (counts.errors) parts.push(`${counts.errors} failed`);
  return parts.join(', ');
}

function relativeSource(loaded: LoadedConfig, io: CliIo): string {
  const file = loaded.filepath!;
  return file.startsWith(`${io.cwd}/`) ? file.slice(io.cwd.length + 1) : file;
}

/** Parses a `--port` value. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new CaptureError('USAGE', `--port expects a number from 0 to 65535, got "${value}"`);
  }
  return port;
}
