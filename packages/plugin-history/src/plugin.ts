import path from 'node:path';
import { CaptureError, Stage, type CapturePlugin, type CaptureProxy } from '@capture/core';
import { historyCommands } from './commands/index.js';
import { HISTORY_FILE, openHistoryDatabase } from './database.js';
import { resolveHistoryOptions, type HistoryOptions, type ResolvedHistoryOptions } from './options.js';
import type { HistoryFilter } from './query.js';
import { toHistoryRow } from './record.js';
import type { StoredExchange } from './record.js';
import { HistoryStore, type HistorySummary } from './store.js';
import { HistoryWriter } from './writer.js';

/** What the history plugin offers other plugins, through `proxy.plugin<HistoryApi>('history')?.api`. */
export interface HistoryApi {
  /** The options in use. */
  readonly options: ResolvedHistoryOptions;
  /** The database file, once the plugin is applied. */
  readonly file: string | undefined;
  /** Writes queued exchanges now (they are otherwise written within `flushInterval`). */
  flush(): void;
  /** Summaries, newest first; empty when history could not be opened. */
  list(filter?: HistoryFilter): HistorySummary[];
  /** One stored exchange by id. */
  get(id: number): StoredExchange | undefined;
}

/**
 * Creates the history plugin: every captured exchange is saved to `<data folder>/history.db`
 * (SQLite), the request always and the response when `saveResponses` is on, and the plugin adds
 * the `capture history` commands.
 */
export function history(options: HistoryOptions = {}): CapturePlugin<HistoryApi> {
  const resolved = resolveHistoryOptions(options);
  let store: HistoryStore | undefined;
  let writer: HistoryWriter | undefined;
  let file: string | undefined;

  const api: HistoryApi = {
    options: resolved,
    get file() {
      return file;
    },
    flush: () => writer?.flush(),
    list: (filter) => store?.list(filter) ?? [],
    get: (id) => store?.get(id),
  };

  return {
    name: 'history',
    api,
    commands: historyCommands(),
    reconfigure: (overrides) => history({ ...options, ...overrides }),
    apply(proxy: CaptureProxy) {
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
      writer = new HistoryWriter(store, {
        flushInterval: resolved.flushInterval,
        batchSize: resolved.batchSize,
        maxEntries: resolved.maxEntries,
        maxAge: resolved.maxAge,
        onWriteError: (error, dropped) => {
          const reason = error instanceof Error ? error.message : String(error);
          report(
            new CaptureError('HISTORY_WRITE_FAILED', `history: cannot write to ${database} (${reason}); ${dropped} exchange(s) not saved, capturing goes on and later writes are retried`, {
              cause: error,
            }),
          );
        },
      });
      const batch = writer;
      // Retention applies from the start, not only once something new is captured.
      batch.pruneSoon();
      proxy.hooks.onExchange.tap({ name: 'history', stage: Stage.STORAGE }, (exchange) => {
        batch.push(toHistoryRow(exchange, resolved.saveResponses));
      });
      proxy.hooks.onClose.tap('history', () => {
        batch.close();
        try {
          store?.close();
        } catch (error) {
          // Closing checkpoints the WAL; on a full disk that fails too, and what was committed stays in the WAL.
          if (batch.dropped === 0) report(new CaptureError('HISTORY_CLOSE_FAILED', `history: closing ${database} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
        }
      });
    },
  };
}
