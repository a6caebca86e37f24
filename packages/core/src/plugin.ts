// The two functions only, not semver's index (which loads every module: ~12 ms more at start).
import satisfies from 'semver/functions/satisfies.js';
import validRange from 'semver/ranges/valid.js';
import type { CommandSpec } from './commands.js';
import { CaptureError } from './errors.js';
import type { CaptureProxy } from './proxy.js';

/**
 * Maps plugin names to the types of what they publish, filled by declaration merging: a plugin
 * package writes
 * ```ts
 * declare module '@capture/core' {
 *   interface PluginRegistry { history: { api: HistoryApi; options: HistoryOptions } }
 * }
 * ```
 * and then `proxy.plugin('history')?.api` is a `HistoryApi` wherever that package's types are
 * loaded (`import type { HistoryApi } from '@capture/plugin-history'`: erased at build, never a
 * runtime import between plugins).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface PluginRegistry {}

/** What a registered plugin publishes: see {@link PluginRegistry}. */
export interface RegisteredPlugin {
  /** The type of the plugin's `api`. */
  api: unknown;
  /** The type of the options its factory takes. */
  options: object;
}

/** The API type registered for a plugin name, `unknown` for names nobody registered. */
export type PluginApiOf<Name extends string> = Name extends keyof PluginRegistry
  ? PluginRegistry[Name] extends RegisteredPlugin
    ? PluginRegistry[Name]['api']
    : unknown
  : unknown;

/**
 * A `capture start` flag a plugin declares: the CLI adds it to `capture start` (and its
 * `--help`, under the plugin's name) when the plugin runs, and hands the value to the plugin
 * through `reconfigure(toOptions(value))`. A plugin's flags sit next to its options and
 * commands; the CLI knows none of them.
 */
export interface PluginFlag<Options extends object = object> {
  /** Commander-style flags: `--include <pattern>`, `--exclude-assets`, `--no-http2`, `-k, --insecure`. */
  flags: string;
  /** One line for `capture start --help`. */
  description: string;
  /**
   * Parses one occurrence (a repeatable flag gets the value so far as `previous`). Throw a
   * `CaptureError` (code `USAGE`) for a bad value: the CLI prints it and exits 2.
   */
  parse?(value: string, previous: unknown): unknown;
  /** The plugin options this flag's value means, merged over the plugin's own. */
  toOptions(value: unknown): Partial<Options>;
}

/**
 * What a plugin's `apply` receives besides the proxy: its own context (Rollup's plugin context
 * is the model), so whatever it reports is attributed to it.
 */
export interface PluginContext {
  /** The plugin's name. */
  readonly name: string;
  /**
   * Reports an error that has no client response to go to (a storage write failed): it reaches
   * `onError` taps as a `PluginError` naming this plugin and `hook` (default `apply`).
   */
  report(error: unknown, hook?: string): void;
}

/**
 * A capture plugin: a name and an `apply` that taps the proxy's hooks. Plugin packages export
 * a factory that validates its options and returns one of these; options, flags, commands and
 * hooks of one plugin sit together.
 */
export interface CapturePlugin<Api = unknown, Options extends object = object> {
  /** The plugin's name, also used as its tap name (`https`, `history`, …). Unique per proxy. */
  readonly name: string;
  /**
   * Taps the proxy's hooks. May be async to open files or databases before the proxy listens.
   * When it throws, the start fails with a `PluginError` naming this plugin (its code kept), after
   * the `onClose` taps of the plugins applied so far (this one's included) ran, last plugin first.
   */
  apply(proxy: CaptureProxy, context: PluginContext): void | Promise<void>;
  /** Names of plugins that must be applied before this one; a missing one is an error naming both. */
  readonly dependencies?: readonly string[];
  /**
   * The `@capture/core` versions this plugin works with, a semver range (its peerDependency).
   * `use()` refuses a plugin whose range the running core does not satisfy, naming both.
   * Plugin packages write `peerCoreRange(import.meta.url)`, the range their package.json declares.
   */
  readonly core?: string;
  /** What this plugin offers other plugins, found with `proxy.plugin(name)?.api`. */
  readonly api?: Api;
  /** Subcommands this plugin adds to the `capture` command. */
  readonly commands?: readonly CommandSpec[];
  /** Flags this plugin adds to `capture start` (applied through {@link CapturePlugin.reconfigure}). */
  readonly flags?: readonly PluginFlag<Options>[];
  /**
   * Returns a new instance of this plugin with some options changed (validated like the
   * factory's). The CLI applies `capture start` flags with it; factories implement it as
   * `(overrides) => factory({ ...options, ...overrides })`.
   */
  reconfigure?(overrides: Partial<Options>): CapturePlugin<Api, Options>;
}

/**
 * The second argument the CLI gives a plugin factory it calls for a config entry named by
 * package or path. `format: 'data'` means the options came from JSON, YAML or the command
 * line, which cannot express a `RegExp`: a factory may then read strings written
 * `/pattern/flags` as regexes. In TypeScript and JavaScript configs (`format: 'code'`, also the
 * default when a user calls the factory) strings are plain strings.
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

/**
 * Checks that every entry is a plugin with a name and an `apply`, names are unique,
 * dependencies are met, and each plugin's `core` range accepts `coreVersion`.
 */
export function validatePlugins(plugins: readonly CapturePlugin[], coreVersion?: string): void {
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
    if (coreVersion !== undefined) checkCoreRange(plugin, coreVersion);
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

/** Refuses a plugin built for another core: one line naming both versions. */
function checkCoreRange(plugin: CapturePlugin, coreVersion: string): void {
  if (plugin.core === undefined) return;
  if (typeof plugin.core !== 'string' || validRange(plugin.core) === null) {
    throw new CaptureError('PLUGIN_INVALID', `plugin "${plugin.name}" gives "core": ${JSON.stringify(plugin.core)}, which is not a semver range`);
  }
  if (!satisfies(coreVersion, plugin.core, { includePrerelease: true })) {
    throw new CaptureError(
      'PLUGIN_CORE_MISMATCH',
      `plugin "${plugin.name}" is built for @capture/core ${plugin.core}, but this is @capture/core ${coreVersion}: install versions that fit together`,
    );
  }
}
