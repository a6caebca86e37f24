import type { CommandSpec } from './commands.js';
import { CaptureError } from './errors.js';
import type { CaptureProxy } from './proxy.js';

/**
 * A capture plugin: a name and an `apply` that taps the proxy's hooks. Plugin packages export
 * a factory that validates its options and returns one of these.
 */
export interface CapturePlugin<Api = unknown> {
  /** The plugin's name, also used as its tap name (`https`, `history`, …). Unique per proxy. */
  readonly name: string;
  /** Taps the proxy's hooks. May be async to open files or databases before the proxy listens. */
  apply(proxy: CaptureProxy): void | Promise<void>;
  /** Names of plugins that must be applied before this one; a missing one is an error naming both. */
  readonly dependencies?: readonly string[];
  /** What this plugin offers other plugins, found with `proxy.plugin(name)?.api`. */
  readonly api?: Api;
  /** Subcommands this plugin adds to the `capture` command. */
  readonly commands?: readonly CommandSpec[];
  /**
   * Returns a new instance of this plugin with some options changed (validated like the
   * factory's). The CLI uses it to apply `capture start` flags such as `--include` to a plugin
   * the config created; factories implement it as `(overrides) => factory({ ...options, ...overrides })`.
   */
  reconfigure?(overrides: Record<string, unknown>): CapturePlugin<Api>;
}

/**
 * The second argument the CLI gives a plugin factory it calls for a config entry named by
 * package or path. `format: 'data'` means the options came from JSON or YAML, which cannot
 * express a `RegExp`: a factory may then read strings written `/pattern/flags` as regexes. In
 * TypeScript and JavaScript configs (`format: 'code'`, also the default when a user calls the
 * factory) strings are plain strings.
 */
export interface PluginFactoryContext {
  /** Where the options were written. */
  format: 'code' | 'data';
}

/**
 * What a config's `plugins` list accepts: plugins, nested lists (presets), and falsy entries so
 * `condition && plugin()` works.
 */
export type PluginInput = CapturePlugin | false | null | undefined | readonly PluginInput[];

/** Flattens nested lists and drops falsy entries, keeping order. */
export function flattenPlugins(input: readonly PluginInput[] | undefined): CapturePlugin[] {
  const out: CapturePlugin[] = [];
  const visit = (entry: PluginInput): void => {
    if (!entry) return;
    if (Array.isArray(entry)) {
      for (const item of entry) visit(item);
      return;
    }
    out.push(entry as CapturePlugin);
  };
  for (const entry of input ?? []) visit(entry);
  return out;
}

/** Checks that every entry is a plugin with a name and an `apply`, names are unique, and dependencies are met. */
export function validatePlugins(plugins: readonly CapturePlugin[]): void {
  const seen = new Set<string>();
  plugins.forEach((plugin, index) => {
    if (typeof plugin !== 'object' || plugin === null) {
      throw new CaptureError('PLUGIN_INVALID', `plugins[${index}] is not a plugin object (got ${typeof plugin})`);
    }
    if (typeof plugin.name !== 'string' || plugin.name === '') {
      throw new CaptureError('PLUGIN_INVALID', `plugins[${index}] has no "name" string`);
    }
    if (typeof plugin.apply !== 'function') {
      throw new CaptureError('PLUGIN_INVALID', `plugin "${plugin.name}" (plugins[${index}]) has no apply(proxy) function`);
    }
    if (seen.has(plugin.name)) {
      throw new CaptureError('PLUGIN_INVALID', `plugin "${plugin.name}" is listed twice in plugins`);
    }
    for (const dependency of plugin.dependencies ?? []) {
      if (!seen.has(dependency)) {
        throw new CaptureError(
          'PLUGIN_DEPENDENCY_MISSING',
          `plugin "${plugin.name}" needs plugin "${dependency}" listed before it in plugins`,
        );
      }
    }
    seen.add(plugin.name);
  });
}
