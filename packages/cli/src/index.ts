export { runCli, CLI_VERSION, EXIT } from './cli.js';
export { loadConfig, SEARCH_PLACES, MODULE_NAME, type LoadedConfig } from './load-config.js';
export { liveLog, type LiveLogOptions, type LiveLogCounts } from './logger-plugin.js';
export { formatExchangeLine, exchangeSummary, formatSize, formatDuration } from './format.js';
export { resolveStartPlugins, choicesFromFlags, commandPlugins, type PluginOverrides, type PluginFlagChoices, type SharedOverride } from './default-plugins.js';
export { PLUGIN_FLAGS, DEFAULT_PLUGINS, type PluginFlag, type DefaultPlugin } from './plugin-flags.js';
export { lanAddresses } from './lan.js';
export type { CliIo } from './io.js';
