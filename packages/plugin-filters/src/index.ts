import { peerCoreRange, Stage, type CapturePlugin, type PluginFactoryContext } from '@capture/core';
import { isAsset, isMediaType, mediaTypeOf } from './content-type.js';
import { filtersFlags } from './flags.js';
import { PLUGIN_NAME, resolveFiltersOptions, type FiltersOptions, type ResolvedFiltersOptions } from './options.js';
import { compileRequestRules, type FilterRule } from './rules.js';

export { PLUGIN_NAME, resolveFiltersOptions, type FiltersOptions, type ResolvedFiltersOptions } from './options.js';
// The pattern types moved to @capture/core; re-exported so existing imports keep working.
export type { UrlPattern, CompiledPattern } from '@capture/core';
export { filtersFlags, patternFromFlag } from './flags.js';
export { parseMethods } from './methods.js';
export { isAsset, isMediaType, mediaTypeOf, urlExtension } from './content-type.js';
export type { FilterRule } from './rules.js';

declare module '@capture/core' {
  interface PluginRegistry {
    /** `proxy.plugin('filters')?.api` is a {@link FiltersApi}. */
    filters: { api: FiltersApi; options: FiltersOptions };
  }
}

/** What the plugin offers other plugins through `proxy.plugin('filters')?.api`. */
export interface FiltersApi {
  /** The rules in force, compiled (e.g. for a UI that shows them). */
  readonly options: ResolvedFiltersOptions;
}

/**
 * Media handling and capture filters. Every request is still proxied; this only decides what is
 * captured:
 * - responses typed `image/*`, `audio/*` or `video/*` are forwarded whole but their bodies are
 *   never buffered: the exchange keeps headers, status and timings, with `response.bodySkipped`
 *   set to `'media'` (always on);
 * - `methods`, `exclude` and `include` are decided from the request, so a filtered exchange's
 *   bodies are not even collected; `excludeAssets` is decided when the response head arrives.
 *
 * A filtered exchange gets `skip = { reason: 'filtered: <rule>', by: 'filters' }` and goes to
 * `onSkipped`, never to `onExchange`: no storage plugin sees it. Taps run at `Stage.FILTER`, before
 * any transform or storage plugin whatever the order of plugins in the config. Options are
 * validated and patterns compiled here, once; a bad option throws a one-line `PluginError`.
 * `--include`, `--exclude`, `--methods` and `--exclude-assets` are its `capture start` flags.
 *
 * @example
 * ```ts
 * filters({ excludeAssets: true, include: ['/api/'], exclude: [/analytics/], methods: 'GET,POST' })
 * ```
 */
export default function filters(options: FiltersOptions = {}, context: PluginFactoryContext = { format: 'code' }): CapturePlugin<FiltersApi, FiltersOptions> {
  const resolved = resolveFiltersOptions(options, context);
  const decideRequest = compileRequestRules(resolved);
  const skip = (rule: FilterRule) => ({ reason: `filtered: ${rule}`, by: PLUGIN_NAME });
  return {
    name: PLUGIN_NAME,
    core: peerCoreRange(import.meta.url),
    api: { options: resolved },
    flags: filtersFlags,
    apply(proxy) {
      const tap = { name: PLUGIN_NAME, stage: Stage.FILTER };
      if (decideRequest) {
        proxy.hooks.onRequest.tap(tap, ({ exchange }) => {
          if (exchange.skip) return undefined;
          const rule = decideRequest(exchange.request.method, exchange.request.url);
          if (rule) exchange.skip = skip(rule);
          return undefined;
        });
      }
      proxy.hooks.onResponse.tap(tap, (context) => {
        const { exchange } = context;
        if (exchange.skip || !exchange.response) return;
        const mediaType = mediaTypeOf(exchange.response.headers);
        if (resolved.excludeAssets && isAsset(mediaType, exchange.request.url)) {
          exchange.skip = skip('asset');
          return;
        }
        if (isMediaType(mediaType)) context.skipBody('media');
      });
    },
    reconfigure: (overrides: Partial<FiltersOptions>) => filters({ ...options, ...overrides }, context),
  };
}
