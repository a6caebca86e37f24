import { CaptureError, flattenPlugins, type CapturePlugin, type PluginInput } from '@capture/core';
import { DEFAULT_PLUGINS, PLUGIN_FLAGS } from './plugin-flags.js';

/** Option overrides per plugin name, from `capture start` flags. */
export type PluginOverrides = Map<string, Record<string, unknown>>;

/** Options from a flag several plugins share (`--save-responses`): they go to each of `plugins` that runs. */
export interface SharedOverride {
  /** The plugins the options are for. */
  plugins: readonly string[];
  /** The plugin added for them when none of `plugins` runs. */
  fallback: string;
  /** The options. */
  options: Record<string, unknown>;
}

/** What the plugin flags given to `capture start` ask for. */
export interface PluginFlagChoices {
  /** Option overrides per plugin. */
  overrides: PluginOverrides;
  /** Plugins turned off with `--no-<plugin>`. */
  disabled: Set<string>;
  /** Options for whichever of several plugins run (flags with `appliesTo`). */
  shared?: SharedOverride[];
}

/**
 * Collects the plugin flags that were given (`given(flag)` returns the parsed value of a flag
 * the user typed, undefined for one left at its default).
 */
export function choicesFromFlags(given: (flag: string) => unknown): PluginFlagChoices {
  const overrides: PluginOverrides = new Map();
  const disabled = new Set<string>();
  const shared: SharedOverride[] = [];
  for (const flag of PLUGIN_FLAGS) {
    const value = given(flag.flags);
    if (value === undefined) continue;
    if (flag.disables) disabled.add(flag.plugin);
    if (flag.toOptions && flag.appliesTo) shared.push({ plugins: flag.appliesTo, fallback: flag.plugin, options: flag.toOptions(value) });
    else if (flag.toOptions) overrides.set(flag.plugin, { ...overrides.get(flag.plugin), ...flag.toOptions(value) });
    for (const [name, choice] of Object.entries(flag.select?.(value) ?? {})) {
      if (choice === false) disabled.add(name);
      else overrides.set(name, { ...overrides.get(name), ...choice });
    }
  }
  return { overrides, disabled, shared };
}

/**
 * The plugins `capture start` runs. Without `configured` (the config names no plugins): the
 * defaults, minus the `disabled` ones, with opt-in defaults added only when a flag configures
 * them. With `configured`: those plugins, each reconfigured by the flags that name it, plus any
 * default a flag asks for that the config lacks. `shared` options go to each of their plugins
 * that runs, or else to their fallback plugin, added for them.
 */
export async function resolveStartPlugins(
  configured: readonly PluginInput[] | undefined,
  flagOverrides: PluginOverrides,
  disabled: ReadonlySet<string> = new Set(),
  shared: readonly SharedOverride[] = [],
): Promise<CapturePlugin[]> {
  const overrides = withShared(configured, flagOverrides, disabled, shared);
  const plugins: CapturePlugin[] = [];
  const present = new Set<string>();
  if (configured) {
    for (const plugin of flattenPlugins(configured)) {
      if (disabled.has(plugin.name)) continue;
      const changes = overrides.get(plugin.name);
      if (changes && !plugin.reconfigure) {
        throw new CaptureError('USAGE', `plugin "${plugin.name}" from the config does not accept command-line options`);
      }
      plugins.push(changes ? plugin.reconfigure!(changes) : plugin);
      present.add(plugin.name);
    }
  }
  for (const entry of DEFAULT_PLUGINS) {
    if (present.has(entry.name) || disabled.has(entry.name) || entry.commandsOnly) continue;
    const wanted = overrides.has(entry.name) || (!configured && !entry.optIn);
    if (wanted) plugins.push(await entry.create(overrides.get(entry.name) ?? {}));
  }
  return plugins;
}

/** Merges shared options into the overrides of the plugins that will run (or of their fallback). */
function withShared(
  configured: readonly PluginInput[] | undefined,
  flagOverrides: PluginOverrides,
  disabled: ReadonlySet<string>,
  shared: readonly SharedOverride[],
): PluginOverrides {
  if (!shared.length) return flagOverrides;
  const running = new Set<string>();
  for (const plugin of configured ? flattenPlugins(configured) : []) if (!disabled.has(plugin.name)) running.add(plugin.name);
  for (const entry of DEFAULT_PLUGINS) {
    if (disabled.has(entry.name)) continue;
    if (flagOverrides.has(entry.name) || (!configured && !entry.optIn)) running.add(entry.name);
  }
  const overrides: PluginOverrides = new Map(flagOverrides);
  for (const { plugins, fallback, options } of shared) {
    const targets = plugins.filter((name) => running.has(name));
    if (!targets.length && !disabled.has(fallback)) targets.push(fallback);
    for (const name of targets) overrides.set(name, { ...overrides.get(name), ...options });
  }
  return overrides;
}

/**
 * The plugins whose commands the CLI offers: the config's, or the defaults when it names none.
 * Command-only defaults (os-certs) join a config's plugins when what they depend on is there,
 * so `capture ca install` works with any config that has the HTTPS plugin.
 */
export async function commandPlugins(configured: readonly PluginInput[] | undefined): Promise<CapturePlugin[]> {
  if (!configured) return Promise.all(DEFAULT_PLUGINS.map((entry) => entry.create({})));
  const plugins = flattenPlugins(configured);
  const names = new Set(plugins.map((plugin) => plugin.name));
  for (const entry of DEFAULT_PLUGINS) {
    if (!entry.commandsOnly || names.has(entry.name)) continue;
    const plugin = await entry.create({});
    if ((plugin.dependencies ?? []).every((dependency) => names.has(dependency))) plugins.push(plugin);
  }
  return plugins;
}
