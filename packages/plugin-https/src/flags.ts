import type { PluginFlag } from '@capture/core';
import type { HttpsOptions } from './options.js';

/**
 * The `capture start` flags of the https plugin (the CLI's own `--no-https` leaves the plugin
 * out). Values are only read here; the factory validates them like any option.
 */
export const httpsFlags: readonly PluginFlag<HttpsOptions>[] = [
  { flags: '--no-http2', description: 'give every HTTPS client HTTP/1.1, even when it and the origin speak HTTP/2', toOptions: () => ({ http2: false }) },
];
