import type { PluginFlag } from '@capture/core';
import type { HttpsOptions } from './options.js';

/**
 * The `capture start` flags of the https plugin: none yet (the CLI's own `--no-https` leaves the
 * plugin out). Options such as `passthrough` get their flags here when they need one.
 */
export const httpsFlags: readonly PluginFlag<HttpsOptions>[] = [];
