import type { CapturePlugin } from '@capture/core';

/**
 * A `capture start` flag that configures a plugin (the contract's `--include`, `--save-to`, …).
 * Each plugin's issue adds its flags to {@link PLUGIN_FLAGS}; the CLI turns the flags given
 * into option overrides per plugin and applies them to the default plugins or, through
 * `reconfigure`, to the plugins the config created.
 */
export interface PluginFlag {
  /** Commander flags, e.g. `--include <pattern>` or `--exclude-assets`. */
  flags: string;
  /** Shown in `capture start --help`. */
  description: string;
  /** The name of the plugin it configures (`filters`, `history`, …). */
  plugin: string;
  /** Parses one occurrence (repeatable flags get the previous value); a thrown error is a usage error. */
  parse?: (value: string, previous: unknown) => unknown;
  /** The options this flag's value means for its plugin, merged over the plugin's own. */
  toOptions?(value: unknown): Record<string, unknown>;
  /** True for a `--no-<plugin>` flag: giving it leaves the plugin out. */
  disables?: boolean;
}

/** Flags that configure plugins, in the order `--help` lists them. */
export const PLUGIN_FLAGS: PluginFlag[] = [];

/** A plugin `capture start` runs when the config names no plugins, and how to create it. */
export interface DefaultPlugin {
  /** Its name (the same as the plugin's `name`). */
  name: string;
  /** Creates it with the options from flags. */
  create(options: Record<string, unknown>): CapturePlugin | Promise<CapturePlugin>;
  /**
   * True when it runs only if asked for: a flag that configures it adds it (e.g. collections
   * with `--save-to collection`), else it stays out of the defaults.
   */
  optIn?: boolean;
}

/**
 * The defaults of `capture start`, in order. The contract's defaults are https, filters, history
 * (requests and responses saved) and web; each plugin's issue adds its entry here.
 */
export const DEFAULT_PLUGINS: DefaultPlugin[] = [];
