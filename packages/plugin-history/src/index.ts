/**
 * `@capture/plugin-history`: capture's history. Every captured exchange goes to
 * `<data folder>/history.db` (SQLite, written in batches off the request path), and the plugin
 * adds `capture history list|show|export|clear`.
 *
 * @example
 * ```ts
 * import history from '@capture/plugin-history';
 * export default defineConfig({ plugins: [history({ saveResponses: true, maxEntries: 10_000 })] });
 * ```
 */
import type { HistoryApi } from './api.js';
import type { HistoryOptions } from './options.js';
import { history } from './plugin.js';

declare module '@capture/core' {
  interface PluginRegistry {
    /** `proxy.plugin('history')?.api` is a {@link HistoryApi}, wherever this package's types are loaded. */
    history: { api: HistoryApi; options: HistoryOptions };
  }
}

export default history;
export { history } from './plugin.js';
export type { HistoryApi } from './api.js';
export type { ExportFormat, RenderedExport } from './commands/export.js';
export { HISTORY_FILE } from './database.js';
export { resolveHistoryOptions, type HistoryOptions, type ResolvedHistoryOptions } from './options.js';
export type { HistoryFilter, FilterFlags } from './query.js';
export type { HistorySummary } from './store.js';
/** Core's one exchange record, re-exported for code written against earlier versions of this package. */
export type { StoredExchange, StoredBody } from '@capture/core';
