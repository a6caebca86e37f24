import { CaptureError, flattenPlugins, type CapturePlugin, type PluginInput } from '@capture/core';

/** A plugin `capture` ships with, and how it joins a run. */
export interface DefaultPlugin {
  /** Its name (the same as the plugin's `name`). */
  name: string;
  /** Creates it with its default options; flags reach it later through `reconfigure`. */
  create(): CapturePlugin | Promise<CapturePlugin>;
  /**
   * True when it runs only if asked for: one of its flags (or `--save-to collection`) adds it,
   * else it stays out of the defaults.
   */
  optIn?: boolean;
  /**
   * True for a plugin that only adds commands (os-certs): `capture start` never runs it unless
   * the config lists it, and its commands are offered even with a config that does not list it,
   * when the plugins it depends on are there.
   */
  commandsOnly?: boolean;
}

/**
 * The plugins `capture` ships with, in the order they run. With no config (or one without
 * `plugins`) `capture start` runs https, filters, grpc, websocket, history (requests and responses
 * saved), web and openapi.
 */
export const DEFAULT_PLUGINS: readonly DefaultPlugin[] = [
  // Each package is imported when its plugin is first created: `capture start` never loads
  // os-certs (it only adds commands), and a command loads only what it needs.
  { name: 'https', create: async () => (await import('@capture/plugin-https')).default() },
  { name: 'filters', create: async () => (await import('@capture/plugin-filters')).default() },
  // gRPC and gRPC-Web calls decoded (messages, status) before storage; `--proto FILE` adds schemas.
  { name: 'grpc', create: async () => (await import('@capture/plugin-grpc')).default() },
  // WebSocket messages, both ways, recorded on the upgrade's exchange.
  { name: 'websocket', create: async () => (await import('@capture/plugin-websocket')).default() },
  { name: 'history', create: async () => (await import('@capture/plugin-history')).default() },
  { name: 'os-certs', create: async () => (await import('@capture/plugin-os-certs')).default(), commandsOnly: true },
  // Opt-in: `--save-to collection`, `--collection` or `--group-by` adds it.
  { name: 'collections', create: async () => (await import('@capture/plugin-collections')).default(), optIn: true },
  // The live web view on 127.0.0.1:5556 (`--no-web` leaves it out); it prints its URL with the token.
  { name: 'web', create: async () => (await import('@capture/plugin-web')).default() },
  // `capture openapi` and the web view's Export → OpenAPI: it taps no hooks, the view reads its API.
  { name: 'openapi', create: async () => (await import('@capture/plugin-openapi')).default() },
];

/** A plugin that may run in `capture start`: its flags are offered whether or not it runs. */
export interface StartCandidate {
  /** The plugin, with its own options (the config's, or the defaults). */
  plugin: CapturePlugin;
  /** True when it runs unless turned off (`--no-<name>`); false when only a flag for it adds it. */
  runsByDefault: boolean;
}

/**
 * The plugins `capture start` may run, in order: the config's plugins (which run), then every
 * shipped plugin the config does not list (which run only when a flag asks for them). Without
 * `configured` (the config names no plugins) the shipped plugins run by default, except opt-in
 * ones. Command-only plugins are never candidates.
 */
export async function startCandidates(configured: readonly PluginInput[] | undefined): Promise<StartCandidate[]> {
  const candidates: StartCandidate[] = configured ? flattenPlugins(configured).map((plugin) => ({ plugin, runsByDefault: true })) : [];
  const listed = new Set(candidates.map(({ plugin }) => plugin.name));
  const shipped = DEFAULT_PLUGINS.filter((entry) => !entry.commandsOnly && !listed.has(entry.name));
  // Created together: their packages load in parallel.
  const created = await Promise.all(shipped.map((entry) => entry.create()));
  shipped.forEach((entry, index) => candidates.push({ plugin: created[index]!, runsByDefault: !configured && !entry.optIn }));
  return candidates;
}

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

/** What the flags given to `capture start` ask of the plugins. */
export interface PluginFlagChoices {
  /** Option overrides per plugin; a plugin with overrides runs even when it is not a default. */
  overrides: PluginOverrides;
  /** Plugins left out (`--no-<plugin>`, or history for `--save-to collection`); this wins over overrides. */
  disabled: Set<string>;
  /** Options for whichever of several plugins run (`--save-responses`). */
  shared?: SharedOverride[];
}

/**
 * The plugins `capture start` runs, in candidate order: each candidate that runs by default or
 * that a flag configured, unless disabled; `shared` options go to each of their plugins that
 * runs, or else to their fallback, which then runs. A plugin with overrides gets them through
 * its `reconfigure`.
 */
export function resolveStartPlugins(candidates: readonly StartCandidate[], choices: PluginFlagChoices): CapturePlugin[] {
  const { disabled } = choices;
  const overrides: PluginOverrides = new Map(choices.overrides);
  const runs = (candidate: StartCandidate) => !disabled.has(candidate.plugin.name) && (candidate.runsByDefault || overrides.has(candidate.plugin.name));
  const running = new Set(candidates.filter(runs).map(({ plugin }) => plugin.name));
  for (const { plugins, fallback, options } of choices.shared ?? []) {
    const targets = plugins.filter((name) => running.has(name));
    if (!targets.length && !disabled.has(fallback)) targets.push(fallback);
    for (const name of targets) overrides.set(name, { ...overrides.get(name), ...options });
  }
  const plugins: CapturePlugin[] = [];
  for (const candidate of candidates) {
    if (!runs(candidate)) continue;
    const { plugin } = candidate;
    const changes = overrides.get(plugin.name);
    if (!changes || !Object.keys(changes).length) {
      plugins.push(plugin);
      continue;
    }
    if (!plugin.reconfigure) {
      throw new CaptureError('USAGE', `plugin "${plugin.name}" does not accept command-line options (it has no reconfigure)`);
    }
    plugins.push(plugin.reconfigure(changes));
  }
  return plugins;
}

/**
 * The plugins whose commands the CLI offers: the config's, or the shipped ones when it names
 * none. Command-only plugins (os-certs) join a config's plugins when what they depend on is
 * there, so `capture ca install` works with any config that has the HTTPS plugin. With `needed`
 * (the shipped plugins one command needs, see `command-route.ts`) only those of the shipped
 * ones are created: `capture history list` imports no other plugin package.
 */
export async function commandPlugins(configured: readonly PluginInput[] | undefined, needed?: ReadonlySet<string>): Promise<CapturePlugin[]> {
  const wanted = (entry: DefaultPlugin) => !needed || needed.has(entry.name);
  if (!configured) return Promise.all(DEFAULT_PLUGINS.filter(wanted).map((entry) => entry.create()));
  const plugins = flattenPlugins(configured);
  const names = new Set(plugins.map((plugin) => plugin.name));
  for (const entry of DEFAULT_PLUGINS) {
    if (!entry.commandsOnly || names.has(entry.name) || !wanted(entry)) continue;
    const plugin = await entry.create();
    if ((plugin.dependencies ?? []).every((dependency) => names.has(dependency))) plugins.push(plugin);
  }
  return plugins;
}
