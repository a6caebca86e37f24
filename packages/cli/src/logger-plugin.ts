import type { Writable } from 'node:stream';
import pc from 'picocolors';
import { Stage, type CapturePlugin, type Exchange } from '@capture/core';
import { exchangeSummary, formatExchangeLine } from './format.js';

/** How the live log prints. */
export interface LiveLogOptions {
  /** `text` (one readable line), `json` (one JSON object per line) or `none`. */
  format: 'text' | 'json' | 'none';
  /** Where exchange lines go. */
  out: Writable;
  /** Where plugin errors go. */
  err: Writable;
  /** Use colours (a terminal). */
  colours: boolean;
  /** Print nothing for exchanges that are not captured (`--hide-filtered`); they are still counted. Default false: they are printed dimmed. */
  hideSkipped?: boolean;
}

/** Counts of what the proxy did, printed when it stops. */
export interface LiveLogCounts {
  /** Exchanges handed to storage (`onExchange`). */
  captured: number;
  /** Exchanges not captured (`onSkipped`), for any reason. */
  skipped: number;
  /** Of the skipped, those a capture filter decided (`skip.reason` starts with `filtered`). */
  filtered: number;
  /** Of the captured, those whose body was skipped as media (image, audio, video). */
  media: number;
  /** Exchanges that failed (an `error`), captured or not. */
  errors: number;
  /** Of the skipped, CONNECT tunnels core tunnelled blindly (`skip.reason` `tunnelled blindly (…)`). */
  blind: number;
}

/** A blind CONNECT tunnel, as core completes it: a skipped `CONNECT` exchange. */
function isBlindTunnel(exchange: Exchange): boolean {
  return exchange.request.method === 'CONNECT' && (exchange.skip?.reason.startsWith('tunnelled blindly') ?? false);
}

/** `12:00:01 GET 101 ws://host/chat ws open`: an upgraded connection just opened. */
function formatOpenedLine(exchange: Exchange, colours: ReturnType<typeof pc.createColors>): string {
  const time = new Date(exchange.timings.startedAt).toTimeString().slice(0, 8);
  const status = exchange.response?.statusCode ?? 101;
  return [colours.dim(time), colours.bold(exchange.request.method), colours.green(String(status)), exchange.request.url, colours.cyan('ws open')].join(' ');
}

/**
 * The CLI's own plugin: prints a line when an upgraded connection (WebSocket) opens, one line per exchange as it completes (captured, or not captured
 * and dimmed, or left out with `hideSkipped`) and every plugin error, and counts them for the
 * summary on exit.
 */
export function liveLog(options: LiveLogOptions): CapturePlugin & { counts: LiveLogCounts } {
  const counts: LiveLogCounts = { captured: 0, skipped: 0, filtered: 0, media: 0, errors: 0, blind: 0 };
  const colours = pc.createColors(options.colours);
  // Hosts whose first blind tunnel was printed: later ones are only counted (a browser opens many).
  const blindShown = new Set<string>();
  const print = (exchange: Exchange) => {
    if (exchange.error) counts.errors++;
    if (options.format === 'none' || (exchange.skip && options.hideSkipped)) return;
    if (options.format === 'text' && isBlindTunnel(exchange)) {
      const authority = exchange.request.url;
      if (blindShown.has(authority)) return;
      blindShown.add(authority);
      options.out.write(`${colours.dim(`CONNECT ${authority} ${exchange.skip!.reason}; further tunnels to it are counted`)}\n`);
      return;
    }
    const line = options.format === 'json' ? JSON.stringify(exchangeSummary(exchange)) : formatExchangeLine(exchange, colours);
    options.out.write(`${line}\n`);
  };
  // An upgraded connection (WebSocket) as it opens: its full line comes when it closes.
  const printOpened = (exchange: Exchange) => {
    if (options.format === 'none') return;
    if (options.format === 'json') return void options.out.write(`${JSON.stringify({ ...exchangeSummary(exchange), open: true })}\n`);
    options.out.write(`${formatOpenedLine(exchange, colours)}\n`);
  };
  return {
    name: 'live-log',
    counts,
    apply(proxy) {
      proxy.hooks.onExchange.tap({ name: 'live-log', stage: Stage.OBSERVE }, (exchange) => {
        counts.captured++;
        if (exchange.response?.bodySkipped === 'media') counts.media++;
        print(exchange);
      });
      proxy.hooks.onExchangeOpened.tap({ name: 'live-log', stage: Stage.OBSERVE }, printOpened);
      proxy.hooks.onSkipped.tap({ name: 'live-log', stage: Stage.OBSERVE }, (exchange) => {
        counts.skipped++;
        if (exchange.skip?.reason.startsWith('filtered')) counts.filtered++;
        if (isBlindTunnel(exchange)) counts.blind++;
        print(exchange);
      });
      proxy.hooks.onError.tap('live-log', (error) => {
        // A data folder open to other users is worth knowing, but nothing failed.
        if (error.code === 'DATA_DIR_UNSAFE') options.err.write(`${colours.yellow('capture: warning:')} ${error.message}\n`);
        else options.err.write(`${colours.red('capture:')} ${error.message}\n`);
      });
    },
  };
}
