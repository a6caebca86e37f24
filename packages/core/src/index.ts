export { CaptureProxy, createProxy, type ConnectionTarget, type UpstreamTlsOptions } from './proxy.js';
export {
  Stage,
  createProxyHooks,
  type ProxyHooks,
  type ConnectContext,
  type RequestContext,
  type ResponseContext,
  type OutgoingRequest,
  type OutgoingResponse,
  type MockResponse,
  type LocalRequestContext,
  type InfoPageLink,
  type ListenInfo,
} from './hooks.js';
export {
  getHeader,
  headerListFromRaw,
  type Exchange,
  type ExchangeRequest,
  type ExchangeResponse,
  type ExchangeError,
  type ExchangeErrorCode,
  type ExchangeTimings,
  type ExchangeSizes,
  type CapturedBody,
  type BodySkipReason,
  type ClientInfo,
  type HeaderList,
  type SkipDecision,
} from './exchange.js';
export {
  flattenPlugins,
  validatePlugins,
  type CapturePlugin,
  type PluginInput,
  type PluginFactoryContext,
  type PluginFlag,
  type PluginContext,
  type PluginRegistry,
  type RegisteredPlugin,
  type PluginApiOf,
} from './plugin.js';
export { validatePluginOptions, invalidOptions } from './plugin-options.js';
export {
  parseRegexLiteral,
  compileUrlPattern,
  matchAny,
  describeValue,
  isRegExp,
  type UrlPattern,
  type CompiledPattern,
} from './pattern.js';
export { compileHostPattern, hostMatcher, stripBrackets, formatAuthority, type HostPattern, type HostMatcher } from './host-pattern.js';
export {
  formatBytes,
  formatDuration,
  hostOf,
  toStoredBody,
  toStoredExchange,
  type StoredBody,
  type StoredExchange,
  type StoredRequest,
  type StoredResponse,
} from './record/index.js';
export {
  defineConfig,
  resolveConfig,
  configSchema,
  formatConfigIssues,
  DEFAULT_PORT,
  type CaptureConfig,
  type ResolvedConfig,
} from './config.js';
export { resolveDataDir, type DataDirInput } from './data-dir.js';
export { CaptureError, PluginError, type CaptureErrorCode } from './errors.js';
export { isLocalNetworkAddress } from './access-control.js';
export type { CommandSpec, CommandArgumentSpec, CommandOptionSpec, CommandInput, CommandContext } from './commands.js';
export { CORE_VERSION } from './version.js';
