/**
 * `@capture/core`: what plugins and hosts (the CLI) use, curated (mockttp's `main.ts` is the
 * model). Internals (the router, the pipeline, the upstream pool, config parsing) are not
 * exported: plugins reach the proxy through its hooks and its small facade only.
 */

// The proxy and how to create one.
export { CaptureProxy, createProxy, type AheadProtocol, type ConnectionTarget, type ProxyMode, type UpstreamTlsOptions } from './proxy.js';
export type { ClientCertificateConfig } from './client-certificates.js';
export { defineConfig, DEFAULT_PORT, type CaptureConfig, type ResolvedConfig } from './config.js';
export { resolveDataDir, ensureDataDir, ensureDataDirSync, type DataDirInput, type DataDirStatus } from './data-dir.js';
export { CORE_VERSION } from './version.js';
export { canHandOff, HANDOFF_BYTES } from './body-handoff.js';

// Hooks: the whole extension surface.
export {
  Stage,
  createProxyHooks,
  type ProxyHooks,
  type MaybeAsyncSeriesBailHook,
  type ConnectContext,
  type RequestContext,
  type ResponseContext,
  type OutgoingRequest,
  type OutgoingResponse,
  type MockResponse,
  type LocalRequestContext,
  type InfoPageLink,
  type ListenInfo,
  type UpgradedConnection,
} from './hooks.js';
/**
 * tapable's hook classes, as core bundles them: a plugin that offers hooks of its own (as
 * plugin-websocket does) builds them from these instead of depending on `tapable`, so a process
 * loads one tapable (one file in core's dist instead of tapable's 15 modules). Types are tapable's.
 */
export { AsyncSeriesBailHook, AsyncSeriesHook, AsyncSeriesWaterfallHook, SyncBailHook, SyncHook, SyncWaterfallHook } from 'tapable';

// The exchange as hooks see it.
export {
  getHeader,
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

// Writing a plugin: its shape, context, flags, commands, options and errors.
export {
  flattenPlugins,
  type CapturePlugin,
  type PluginInput,
  type PluginFactoryContext,
  type PluginFlag,
  type PluginContext,
  type PluginRegistry,
  type RegisteredPlugin,
  type PluginApiOf,
} from './plugin.js';
export type { CommandSpec, CommandArgumentSpec, CommandOptionSpec, CommandInput, CommandContext } from './commands.js';
export { validatePluginOptions, invalidOptions } from './plugin-options.js';
/**
 * zod, as core bundles it: plugins build their option schemas with this `z` (`import { z,
 * validatePluginOptions } from '@capture/core'`) instead of depending on `zod` themselves, so a
 * process loads one zod (bundled into core's dist: one file instead of zod's ~95 modules) and the
 * schemas given to {@link validatePluginOptions} are of the zod instance core checks them with.
 * Its types are zod's own (core depends on the exact zod version it bundles).
 */
export { z } from 'zod';
export { peerCoreRange } from './plugin-version.js';
export { CaptureError, PluginError, type CaptureErrorCode } from './errors.js';
export { AddressRefusedError, type UpstreamAddress } from './address-guard.js';

// Shared helpers, so plugins and the CLI read patterns and hosts the same way.
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
export { authorityPort } from './local-requests.js';

// The stored exchange record (also browser-safe as `@capture/core/record`).
export {
  formatBytes,
  formatDuration,
  hostOf,
  toStoredBody,
  toStoredExchange,
  identifierKind,
  isIdentifier,
  type IdentifierKind,
  type StoredBody,
  type StoredExchange,
  type StoredRequest,
  type StoredResponse,
  type WebSocketRecord,
  type WebSocketMessageRecord,
  type WebSocketClosedBy,
  type GrpcRecord,
  type GrpcMessage,
  type RawMessage,
  type RawField,
  type RawDecodeError,
} from './record/index.js';
