import { CaptureError, type CapturePlugin, type CommandContext } from '@capture/core';
import type { StoredExchange } from '@capture/core/record';
import type { FilterFlags, HistoryApi } from '@capture/plugin-history';

/**
 * The stored exchanges a command reads, from the history plugin the CLI loaded, filtered by the
 * flags `capture history list` takes (history parses them, so both commands filter alike).
 * Plugins meet by name, never by import: without a history plugin this is one clear error. A
 * command runs without a proxy, so it reads through a copy of the plugin pointed at the
 * command's data folder (`reconfigure({ dataDir })`), as history documents.
 */
export async function readHistory(context: CommandContext, flags: FilterFlags): Promise<StoredExchange[]> {
  const plugin = context.plugin?.('history') as CapturePlugin<HistoryApi, { dataDir?: string }> | undefined;
  const reader = plugin?.reconfigure?.({ dataDir: context.dataDir });
  if (!reader?.api) {
    throw new CaptureError('OPENAPI_NO_HISTORY', 'openapi: needs the history plugin (@capture/plugin-history) in the config, since it reads captured history');
  }
  return reader.api.exchanges(reader.api.filterFromFlags(flags));
}
