/**
 * `@capture/plugin-web`: the live web view of captured traffic. A page on its own port (default
 * 5556, on 127.0.0.1) behind a random access token, never reachable through the proxy: the list
 * of exchanges as they complete, each one in full, exports, pause and resume.
 *
 * @example
 * ```ts
 * import web from '@capture/plugin-web';
 * export default defineConfig({ plugins: [history(), web({ webPort: 5556 })] });
 * ```
 */
import type { WebOptions } from './options.js';
import { web, type WebApi } from './plugin.js';

declare module '@capture/core' {
  interface PluginRegistry {
    /** `proxy.plugin('web')?.api` is a {@link WebApi}, wherever this package's types are loaded. */
    web: { api: WebApi; options: WebOptions };
  }
}

export default web;
export { web, type WebApi } from './plugin.js';
export { resolveWebOptions, DEFAULT_WEB_PORT, type WebOptions, type ResolvedWebOptions } from './options.js';
export type { ExchangeSummary, ExchangeDetail, BodyView, RowFlags, ListResponse, SettingsView, EventMap, ViewId, OpenApiOperationView } from './protocol.js';
