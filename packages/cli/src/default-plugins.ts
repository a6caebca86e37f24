import { CaptureError, flattenPlugins, type CapturePlugin, type PluginInput } from '@capture/core';
import { DEFAULT_PLUGINS, PLUGIN_FLAGS } from './plugin-flags.js';

/** Option overrides per plugin name, from `capture start` flags. */
export type PluginOverrides = Map<string, Record<string, unknown>>;

/** What the plugin flags given to `capture start` ask for. */
export interface PluginFlagChoices {
  /** Option overrides per plugin. */
  overrides: PluginOverrides;
  /** Plugins turned off with `--no-<plugin>`. */
  disabled: Set<string>;
}

/**
 * Collects the plugin flags that were given (`given(flag)` returns the parsed value of a flag
 * the user typed, undefined for one left at its default).
 */
export function choicesFromFlags(given: (flag: string) => unknown): PluginFlagChoices {
  const overrides: PluginOverrides = new Map();
  const disabled = new Set<string>();
  for (const flag of PLUGIN_FLAGS) {
    const value = given(flag.flags);
    if (value === undefined) continue;
    if (flag.disables) disabled.add(flag.plugin);
    if (flag.toOptions) overrides.set(flag.plugin, { ...overrides.get(flag.plugin), ...flag.toOptions(value) });
    for (const [name, choice] of Object.entries(flag.select?.(value) ?? {})) {
      if (choice === false) disabled.add(name);
      else overrides.set(name, { ...overrides.get(name), ...choice });
    }
  }
  return { overrides, disabled };
}

/**
 * The plugins `capture start` runs. Without `configured` (the config names no plugins): the
 * defaults, minus the `disabled` ones, with opt-in defaults added only when a flag configures
 * them. With `configured`: those plugins, each reconfigured by the flags that name it, plus any
 * default a flag asks for that the config lacks.
 */
export async function resolveStartPlugins(
  configured: readonly PluginInput[] | undefined,
  overrides: PluginOverrides,
  disabled: ReadonlySet<string> = new Set(),
): Promise<CapturePlugin[]> {
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
    if (present.has(entry.name) || disabled.has(entry.name)) continue;
    const wanted = overrides.has(entry.name) || (!configured && !entry.optIn);
    if (wanted) plugins.push(await entry.create(overrides.get(entry.name) ?? {}));
  }
  return plugins;
}

/** The plugins whose commands the CLI offers: the config's, or the defaults when it names none. */
export async function commandPlugins(configured: readonly PluginInput[] | undefined): Promise<CapturePlugin[]> {
  if (configured) return flattenPlugins(configured);
  return Promise.all(DEFAULT_PLUGINS.map((entry) => entry.create({})));
}
