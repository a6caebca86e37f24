import { CaptureError, PluginError, type StoredExchange } from '@capture/core';
import { renderExport, type ExportFormat, type RenderedExport } from './commands/export.js';
import { openHistoryDatabase } from './database.js';
import type { ResolvedHistoryOptions } from './options.js';
import { filterFromFlags, type FilterFlags, type HistoryFilter } from './query.js';
import { ReadWorkerClient, withBufferBodies } from './read-worker-client.js';
import { HistoryStore, type HistorySummary } from './store.js';
import type { ReadOp } from './worker-protocol.js';

/**
 * What the history plugin offers other plugins and commands, through
 * `proxy.plugin('history')?.api` (typed by this package's `PluginRegistry` entry). It works the
 * same in a running proxy and outside one: there it reads the proxy's database; outside one (a
 * plugin command, after the proxy closed) each call opens `<dataDir>/history.db` and closes it
 * again, and without a known data folder it throws a `PluginError` (`HISTORY_NO_DATA_DIR`) that
 * says what to do.
 */
export interface HistoryApi {
  /** The options in use. */
  readonly options: ResolvedHistoryOptions;
  /**
   * The database file: the running proxy's, else `<dataDir option>/history.db`, else the one the
   * last proxy used; undefined when none is known.
   */
  readonly file: string | undefined;
  /**
   * Writes the exchanges waiting in the batch queue now (they are otherwise written within
   * `flushInterval`) and resolves once they are committed. Resolves at once outside a running
   * proxy, where nothing waits.
   */
  flush(): Promise<void>;
  /**
   * The filter the command-line flags of `capture history list` mean (`--id`, `--host`,
   * `--method`, `--status`, `--search`, `--source`, `--since`, `--limit`, as commander gives them), so other
   * commands filter history exactly as it does; a bad value throws a `USAGE` error naming the flag.
   */
  filterFromFlags(flags: FilterFlags): HistoryFilter;
  /** Summaries, newest first; empty when a running proxy could not open history. */
  list(filter?: HistoryFilter): HistorySummary[];
  /** One stored exchange by id. */
  get(id: number): StoredExchange | undefined;
  /** Whole stored exchanges matching a filter, oldest first (what exports read); empty when a running proxy could not open history. */
  exchanges(filter?: HistoryFilter): StoredExchange[];
  /**
   * As {@link HistoryApi.list}, read off the calling thread: in a running proxy a read worker
   * (its own read-only connection) runs the query, so a slow search never delays proxied
   * requests. Use these from code that runs inside a proxy (the web view); the synchronous
   * methods suit commands that run without one. Outside a running proxy they read on the calling
   * thread, as the synchronous methods do.
   */
  listAsync(filter?: HistoryFilter): Promise<HistorySummary[]>;
  /** As {@link HistoryApi.get}, read off the proxy's thread (see {@link HistoryApi.listAsync}). */
  getAsync(id: number): Promise<StoredExchange | undefined>;
  /** As {@link HistoryApi.exchanges}, read off the proxy's thread (see {@link HistoryApi.listAsync}). */
  exchangesAsync(filter?: HistoryFilter): Promise<StoredExchange[]>;
  /**
   * Renders exchanges (stored ones, or any of the same shape) as `capture history export` does:
   * HAR 1.2 JSON, a Postman Collection v2.1.0 JSON named `name`, or one curl command per line.
   */
  render(format: ExportFormat, exchanges: Iterable<StoredExchange>, name?: string): string;
  /**
   * As {@link HistoryApi.render}, with how many exchanges the export holds and how many it left
   * out because the format cannot represent them safely (an empty URL, control characters in a
   * header for curl): an export skips such exchanges instead of failing whole.
   */
  renderCounted(format: ExportFormat, exchanges: Iterable<StoredExchange>, name?: string): RenderedExport;
  /**
   * Deletes every saved exchange, and drops those still queued, as `capture history clear` does.
   * Returns how many rows were deleted. Runs on the calling thread (it may wait for the writer's
   * current transaction).
   */
  clear(): number;
  /**
   * As {@link HistoryApi.clear}, off the calling thread: in a running proxy the history writer's
   * thread deletes the rows (it holds the write lock, so nothing waits for it), so clearing a big
   * history never delays proxied requests. Use it from code that runs inside a proxy (the web
   * view). Outside a running proxy it clears on the calling thread, as `clear` does.
   */
  clearAsync(): Promise<number>;
}

/** Where the API reads: the plugin's state, which `apply` and `onClose` change. */
export interface HistorySource {
  /** The options in use. */
  readonly options: ResolvedHistoryOptions;
  /**
   * The running proxy's store; `null` while a proxy runs whose history could not be opened;
   * undefined outside a running proxy.
   */
  running(): HistoryStore | null | undefined;
  /** The running proxy's file, or undefined. */
  runningFile(): string | undefined;
  /** The running proxy's read worker (started on first use), or undefined outside a running proxy with history open. */
  reader(): ReadWorkerClient | undefined;
  /** The file to open outside a running proxy, or undefined when none is known. */
  fileOutside(): string | undefined;
  /** Writes what is queued and resolves once it is committed. */
  flush(): Promise<void>;
  /** Drops what is queued. */
  discardQueued(): void;
  /** Clears on the running proxy's writer thread; undefined when no writer runs. */
  clearOnWriter(): Promise<number> | undefined;
}

/** Builds the API over the plugin's state. */
export function createHistoryApi(source: HistorySource): HistoryApi {
  const use = <T>(method: string, unavailable: T, work: (store: HistoryStore) => T): T => {
    const store = source.running();
    if (store === null) return unavailable;
    if (store) return work(store);
    const file = source.fileOutside();
    if (!file) {
      throw new PluginError(
        'history',
        method,
        new CaptureError(
          'HISTORY_NO_DATA_DIR',
          `api.${method}() needs a running proxy or a data folder: outside a proxy (in a command) use history({ dataDir }), e.g. context.plugin('history')?.reconfigure?.({ dataDir: context.dataDir })`,
        ),
      );
    }
    let outside: HistoryStore;
    try {
      outside = new HistoryStore(openHistoryDatabase(file).db);
    } catch (error) {
      throw PluginError.from('history', method, error);
    }
    try {
      return work(outside);
    } finally {
      outside.close();
    }
  };

  /**
   * A read on the read worker when a proxy runs with history open; `sync` is the same read on
   * this thread, used outside a proxy and whenever the worker cannot answer.
   */
  const read = <T>(method: string, op: ReadOp, unavailable: T, sync: () => T, fix: (value: T) => T = (value) => value): Promise<T> => {
    const store = source.running();
    if (store === null) return Promise.resolve(unavailable);
    const reader = store ? source.reader() : undefined;
    if (!reader) return new Promise<T>((resolve) => resolve(sync()));
    return reader.read<T>(op, sync).then(fix, (error: unknown) => {
      throw PluginError.from('history', method, error);
    });
  };
  const list = (filter?: HistoryFilter) => use('list', [], (store) => store.list(filter));
  const get = (id: number) => use('get', undefined, (store) => store.get(id));
  const exchanges = (filter?: HistoryFilter) => use('exchanges', [], (store) => [...store.exchanges(filter)]);

  return {
    options: source.options,
    get file() {
      return source.runningFile() ?? source.fileOutside();
    },
    flush: () => source.flush(),
    filterFromFlags: (flags) => filterFromFlags(flags, undefined),
    list,
    get,
    exchanges,
    listAsync: (filter) => read('listAsync', { op: 'list', filter: filter ?? {} }, [], () => list(filter)),
    getAsync: (id) => read('getAsync', { op: 'get', id }, undefined, () => get(id), (found) => found && withBufferBodies(found)),
    exchangesAsync: (filter) => read('exchangesAsync', { op: 'exchanges', filter: filter ?? {} }, [], () => exchanges(filter), (found) => found.map(withBufferBodies)),
    render: (format, exchanges, name) => renderExport(format, exchanges, name).text,
    renderCounted: (format, exchanges, name) => renderExport(format, exchanges, name),
    clear: () => {
      source.discardQueued();
      return use('clear', 0, (store) => store.clear());
    },
    clearAsync: () => {
      source.discardQueued();
      const cleared = source.clearOnWriter();
      if (!cleared) return new Promise<number>((resolve) => resolve(use('clear', 0, (store) => store.clear())));
      return cleared.catch((error: unknown) => {
        throw PluginError.from('history', 'clearAsync', error);
      });
    },
  };
}
