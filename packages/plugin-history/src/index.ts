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
import { history } from './plugin.js';

export default history;
export { history, type HistoryApi } from './plugin.js';
export { HISTORY_FILE } from './database.js';
export { resolveHistoryOptions, type HistoryOptions, type ResolvedHistoryOptions } from './options.js';
export type { HistoryFilter } from './query.js';
export type { HistorySummary } from './store.js';
export type { StoredExchange, StoredBody } from './record.js';
