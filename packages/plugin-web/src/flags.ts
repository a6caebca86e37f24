import { CaptureError, type PluginFlag } from '@capture/core';
import type { WebOptions } from './options.js';

/** `--web-port <port>`: a whole number from 0 to 65535. */
function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new CaptureError('USAGE', `--web-port expects a number from 0 to 65535, got "${value}"`);
  return Number(value);
}

/** The `capture start` flags of the web view. */
export const webFlags: readonly PluginFlag<WebOptions>[] = [
  {
    flags: '--web-port <port>',
    description: 'port of the live web view (default 5556, or a free one when 5556 is taken; 0 picks a free one)',
    parse: parsePort,
    toOptions: (value) => ({ webPort: Number(value) }),
  },
];
