import type { PluginFlag } from '@capture/core';
import type { OsCertsOptions } from './options.js';

/**
 * The `capture start` flags of the os-certs plugin: none, as it only adds commands (their own
 * options, `--target`, `--nss-db`, `--port`, belong to those commands).
 */
export const osCertsFlags: readonly PluginFlag<OsCertsOptions>[] = [];
