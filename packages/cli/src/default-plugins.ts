import type { PluginInput } from '@capture/core';

/**
 * The plugins `capture start` runs when the config names none. The contract's defaults are
 * https, filters, history (with responses) and web; each joins this list as its package lands.
 */
export function defaultPlugins(): PluginInput[] {
  return [];
}
