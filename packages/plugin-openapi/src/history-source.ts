import { CaptureError, type CapturePlugin, type CommandContext } from '@capture/core';
import type { StoredExchange } from '@capture/core/record';
import type { FilterFlags, HistoryApi } from '@capture/plugin-history';

/** Which stored exchanges {@link OpenApiApi.fromHistory} describes; without any, the whole history. */
export interface HistorySelection {
  /** Only the exchanges with these ids (a selection in the web view). */
  readonly ids?: readonly number[];
  /** Only exchanges with this text in the URL, headers or bodies (as `capture history list --search`). */
  readonly search?: string;
  /** Only the newest `limit` exchanges. */
  readonly limit?: number;
}

/**
 * The stored exchanges of the running proxy's history, read through its async API: on the
 * history plugin's read worker, so a slow read of a big history never holds the proxy's thread.
 */
export async function readRunningHistory(history: HistoryApi | undefined, selection: HistorySelection): Promise<StoredExchange[]> {
  if (!history) throw new CaptureError('OPENAPI_NO_HISTORY', 'openapi: needs the history plugin (@capture/plugin-history) in the proxy, since it reads captured history');
  return history.exchangesAsync({
    ...(selection.ids ? { ids: [...selection.ids] } : {}),
    ...(selection.search !== undefined ? { search: selection.search } : {}),
    ...(selection.limit !== undefined ? { limit: selection.limit } : {}),
  });
}

/**
 * The stored exchanges a command reads, from the history plugin the CLI loaded, filtered by the
 * flags `capture history list` takes (history parses them, so both commands filter alike).
 * Plugins meet by name, never by import: without a history plugin this is one clear error. A
 * command runs without a proxy, so it reads through a copy of the plugin pointed at the
 * command's data folder (`reconfigure({ dataDir })`), as history documents. Reads go through
 * history's async API, as every read of plugin-openapi does.
 */
export async function readHistory(context: CommandContext, flags: FilterFlags): Promise<StoredExchange[]> {
  const plugin = context.plugin?.('history') as CapturePlugin<HistoryApi, { dataDir?: string }> | undefined;
  const reader = plugin?.reconfigure?.({ dataDir: context.dataDir });
  if (!reader?.api) {
    throw new CaptureError('OPENAPI_NO_HISTORY', 'openapi: needs the history plugin (@capture/plugin-history) in the config, since it reads captured history');
  }
  // The async read: in a proxy it runs on history's read worker; here, in a command without a
  // proxy, history answers it on this thread, where nothing else waits.
  return reader.api.exchangesAsync(reader.api.filterFromFlags(flags));
}
