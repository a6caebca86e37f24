export { runCli, CLI_VERSION, EXIT } from './cli.js';
export { loadConfig, SEARCH_PLACES, MODULE_NAME, type LoadedConfig } from './load-config.js';
export { liveLog, type LiveLogOptions, type LiveLogCounts } from './logger-plugin.js';
export { formatExchangeLine, exchangeSummary } from './format.js';
export {
  DEFAULT_PLUGINS,
  startCandidates,
  resolveStartPlugins,
  commandPlugins,
  type DefaultPlugin,
  type StartCandidate,
  type PluginOverrides,
  type PluginFlagChoices,
  type SharedOverride,
} from './default-plugins.js';
export { choicesFromFlags, choiceFlags, pluginFlags, type StartFlag } from './start-flags.js';
export { lanAddresses } from './lan.js';
export type { CliIo } from './io.js';
