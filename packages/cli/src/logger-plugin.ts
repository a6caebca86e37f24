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
}

/** Counts of what the proxy did, printed when it stops. */
export interface LiveLogCounts {
  captured: number;
  skipped: number;
  media: number;
  errors: number;
}

/**
 * The CLI's own plugin: prints one line per exchange as it completes (captured or not) and
 * every plugin error, and counts them for the summary on exit.
 */
export function liveLog(options: LiveLogOptions): CapturePlugin & { counts: LiveLogCounts } {
  const counts: LiveLogCounts = { captured: 0, skipped: 0, media: 0, errors: 0 };
  const colours = pc.createColors(options.colours);
  const print = (exchange: Exchange) => {
    if (exchange.error) counts.errors++;
    if (exchange.response?.bodySkipped === 'media') counts.media++;
    if (options.format === 'none') return;
    const line = options.format === 'json' ? JSON.stringify(exchangeSummary(exchange)) : formatExchangeLine(exchange, colours);
    options.out.write(`${line}\n`);
  };
  return {
    name: 'live-log',
    counts,
    apply(proxy) {
      proxy.hooks.onExchange.tap({ name: 'live-log', stage: Stage.OBSERVE }, (exchange) => {
        counts.captured++;
        print(exchange);
      });
      proxy.hooks.onSkipped.tap({ name: 'live-log', stage: Stage.OBSERVE }, (exchange) => {
        counts.skipped++;
        print(exchange);
      });
      proxy.hooks.onError.tap('live-log', (error) => {
        options.err.write(`${colours.red('capture:')} ${error.message}\n`);
      });
    },
  };
}
