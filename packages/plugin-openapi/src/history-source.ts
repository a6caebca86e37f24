import { CaptureError, createProxy, type CapturePlugin, type CommandContext } from '@capture/core';
import type { StoredExchange } from '@capture/core/record';
import type { HistoryApi, HistoryFilter } from '@capture/plugin-history';

/**
 * The stored exchanges a command reads, from the history plugin the CLI loaded. Plugins meet by
 * name, never by import: without a history plugin this is one clear error.
 *
 * A command runs without a proxy. History's documented way to read outside one is a copy of the
 * plugin pointed at the command's data folder (`reconfigure({ dataDir })`). A history plugin
 * that does not take `dataDir` yet is applied to a proxy that never listens, which opens its
 * database the way a running capture does, and closed again.
 */
export async function readHistory(context: CommandContext, filter: HistoryFilter): Promise<StoredExchange[]> {
  const plugin = context.plugin?.('history') as CapturePlugin<HistoryApi, { dataDir?: string }> | undefined;
  if (!plugin?.api) {
    throw new CaptureError('OPENAPI_NO_HISTORY', 'openapi: needs the history plugin (@capture/plugin-history) in the config, since it reads captured history');
  }
  let reader: CapturePlugin<HistoryApi, { dataDir?: string }> | undefined;
  try {
    reader = plugin.reconfigure?.({ dataDir: context.dataDir });
  } catch {
    // An older history plugin refuses the option: fall back below.
    reader = undefined;
  }
  if (reader?.api && reader.api.file !== undefined) return reader.api.exchanges(filter);
  const proxy = await createProxy({ host: '127.0.0.1', port: 0, plugins: [plugin] }, { dataDir: context.dataDir });
  try {
    return plugin.api.exchanges(filter);
  } finally {
    await proxy.close();
  }
}
