import path from 'node:path';
import { CaptureError, Stage, type CapturePlugin, type CaptureProxy } from '@capture/core';
import { historyCommands } from './commands/index.js';
import { renderExport, type ExportFormat } from './commands/export.js';
import { HISTORY_FILE, openHistoryDatabase } from './database.js';
import { resolveHistoryOptions, type HistoryOptions, type ResolvedHistoryOptions } from './options.js';
import type { HistoryFilter } from './query.js';
import { BatchQueue } from './batch-queue.js';
import { toHistoryRow, type HistoryRow, type StoredExchange } from './record.js';
import { HistoryStore, type HistorySummary } from './store.js';
import { WriteWorkerClient } from './worker-client.js';

/** What the history plugin offers other plugins, through `proxy.plugin<HistoryApi>('history')?.api`. */
export interface HistoryApi {
  /** The options in use. */
  readonly options: ResolvedHistoryOptions;
  /** The database file, once the plugin is applied. */
  readonly file: string | undefined;
  /** Sends queued exchanges to be written now (they are otherwise sent within `flushInterval`); the write itself happens on the writer thread. */
  flush(): void;
  /** Summaries, newest first; empty when history could not be opened. */
  list(filter?: HistoryFilter): HistorySummary[];
  /** One stored exchange by id. */
  get(id: number): StoredExchange | undefined;
  /** Whole stored exchanges matching a filter, oldest first (what exports read); empty when history could not be opened. */
  exchanges(filter?: HistoryFilter): StoredExchange[];
  /**
   * Renders exchanges (stored ones, or any of the same shape) as `capture history export` does:
   * HAR 1.2 JSON, a Postman Collection v2.1.0 JSON named `name`, or one curl command per line.
   */
  render(format: ExportFormat, exchanges: Iterable<StoredExchange>, name?: string): string;
  /**
   * Deletes every saved exchange, and drops those still queued, as `capture history clear` does.
   * Returns how many rows were deleted. Runs on the calling thread (it may wait for the writer's
   * current transaction).
   */
  clear(): number;
}

/**
 * Creates the history plugin: every captured exchange is saved to `<data folder>/history.db`
 * (SQLite), the request always and the response when `saveResponses` is on, and the plugin adds
 * the `capture history` commands.
 */
export function history(options: HistoryOptions = {}): CapturePlugin<HistoryApi> {
  const resolved = resolveHistoryOptions(options);
  let store: HistoryStore | undefined;
  let queue: BatchQueue<HistoryRow> | undefined;
  let file: string | undefined;

  const api: HistoryApi = {
    options: resolved,
    get file() {
      return file;
    },
    flush: () => queue?.flush(),
    list: (filter) => store?.list(filter) ?? [],
    get: (id) => store?.get(id),
    exchanges: (filter) => (store ? [...store.exchanges(filter)] : []),
    render: (format, exchanges, name) => renderExport(format, [...exchanges], name),
    clear: () => {
      queue?.discard();
      return store?.clear() ?? 0;
    },
  };

  return {
    name: 'history',
    api,
    commands: historyCommands(),
    reconfigure: (overrides) => history({ ...options, ...overrides }),
    async apply(proxy: CaptureProxy) {
      file = path.join(proxy.dataDir, HISTORY_FILE);
      // Messages from opening are reported once the proxy listens: by then every plugin,
      // including whatever prints errors, has tapped `onError`.
      const notices: CaptureError[] = [];
      try {
        const opened = openHistoryDatabase(file);
        if (opened.movedAside) notices.push(new CaptureError('HISTORY_DB_CORRUPT', opened.movedAside.message));
        store = new HistoryStore(opened.db);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        notices.push(new CaptureError('HISTORY_UNAVAILABLE', `${reason}; capturing goes on without saving history`, { cause: error }));
      }
      const report = (error: CaptureError) => proxy.hooks.onError.call(error);
      proxy.hooks.onListen.tap('history', () => {
        for (const notice of notices.splice(0)) report(notice);
      });
      if (!store) return;
      const database = file;
      let failureReported = false;
      const client = new WriteWorkerClient(
        { file: database, maxEntries: resolved.maxEntries, maxAge: resolved.maxAge },
        {
          onFailure: (message, dropped) => {
            // The worker reports once per run of failures; this keeps it to once per run of capture.
            if (failureReported) return;
            failureReported = true;
            report(new CaptureError('HISTORY_WRITE_FAILED', `history: cannot write to ${database} (${message}); ${dropped} exchange(s) not saved, capturing goes on and later writes are retried`));
          },
        },
      );
      try {
        // The proxy listens only once the writer thread is ready, so the first exchanges wait for nothing.
        await client.ready;
      } catch (error) {
        notices.push(new CaptureError('HISTORY_UNAVAILABLE', `history: ${error instanceof Error ? error.message : String(error)}; capturing goes on without saving history`, { cause: error }));
        store.close();
        store = undefined;
        return;
      }
      queue = new BatchQueue<HistoryRow>((rows) => client.write(rows), { interval: resolved.flushInterval, size: resolved.batchSize });
      const batches = queue;
      proxy.hooks.onExchange.tap({ name: 'history', stage: Stage.STORAGE }, (exchange) => {
        batches.push(toHistoryRow(exchange, resolved.saveResponses));
      });
      proxy.hooks.onClose.tapPromise('history', async () => {
        batches.close();
        await client.close();
        store?.close();
      });
    },
  };
}
