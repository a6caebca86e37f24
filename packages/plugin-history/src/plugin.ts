import path from 'node:path';
import { CaptureError, peerCoreRange, Stage, type CapturePlugin, type CaptureProxy, type CommandSpec, type PluginContext } from '@capture/core';
import { createHistoryApi, type HistoryApi } from './api.js';
import { BatchQueue } from './batch-queue.js';
import { historyCommands } from './commands/index.js';
import { HISTORY_FILE, limitWriterPageCache, openHistoryDatabase, openWritingStore } from './database.js';
import { resolveHistoryOptions, type HistoryOptions } from './options.js';
import { toHistoryRow, toOpenHistoryRow, type HistoryRow } from './record.js';
import { HistoryStore } from './store.js';
import { ReadWorkerClient } from './read-worker-client.js';
import { fileIdentity } from './file-safety.js';
import { hasHandOffBody, WriteWorkerClient, type WorkerClientEvents } from './worker-client.js';

/** What a running proxy's history holds; `store` is undefined when history could not be opened. */
interface Running {
  file: string;
  store: HistoryStore | undefined;
  queue: BatchQueue<HistoryRow> | undefined;
  client: WriteWorkerClient | undefined;
  /** The read worker, started by the first async read. */
  reader: ReadWorkerClient | undefined;
  /** True once the proxy is closing: no new read worker is started. */
  closing: boolean;
  /** Starts the writer thread when it has not started (see `apply`); undefined when history could not be opened. */
  startWriter: (() => WriteWorkerClient | undefined) | undefined;
}

/**
 * Creates the history plugin: every captured exchange is saved to `<data folder>/history.db`
 * (SQLite), the request always and the response when `saveResponses` is on, and the plugin adds
 * the `capture history` commands.
 */
export function history(options: HistoryOptions = {}): CapturePlugin<HistoryApi, HistoryOptions> {
  const resolved = resolveHistoryOptions(options);
  let running: Running | undefined;
  /** The file the last proxy used, read again once it has closed. */
  let lastFile: string | undefined;

  const api = createHistoryApi({
    options: resolved,
    running: () => (running ? (running.store ?? null) : undefined),
    runningFile: () => running?.file,
    reader: () => {
      const state = running;
      if (!state?.store || !state.queue || state.closing) return undefined;
      state.reader ??= new ReadWorkerClient(state.file);
      return state.reader;
    },
    fileOutside: () => (resolved.dataDir ? path.join(resolved.dataDir, HISTORY_FILE) : lastFile),
    flush: async () => {
      if (!running?.queue) return;
      running.queue.flush();
      // No writer thread yet: nothing was ever sent, so nothing waits.
      await running.client?.sync();
    },
    discardQueued: () => running?.queue?.discard(),
    clearOnWriter: () => (running && !running.closing ? running.startWriter?.()?.clear() : undefined),
  });

  return {
    name: 'history',
    core: peerCoreRange(import.meta.url),
    api,
    commands: commandsFor(resolved.dataDir),
    reconfigure: (overrides) => history({ ...options, ...overrides }),
    async apply(proxy: CaptureProxy, context: PluginContext) {
      const file = path.join(resolved.dataDir ?? proxy.dataDir, HISTORY_FILE);
      const state: Running = { file, store: undefined, queue: undefined, client: undefined, reader: undefined, closing: false, startWriter: undefined };
      running = state;
      lastFile = file;
      // Storage closes before observers (the web view, stage OBSERVE) close, and is read until then.
      proxy.hooks.onClose.tapPromise({ name: 'history', stage: Stage.STORAGE }, async () => {
        state.closing = true;
        // Reads still waiting are answered on this thread (the store stays open until below).
        await state.reader?.close();
        state.reader = undefined;
        state.queue?.close();
        await state.client?.close();
        state.store?.close();
        if (running === state) running = undefined;
      });
      // Messages from opening are reported once the proxy listens: by then every plugin,
      // including whatever prints errors, has tapped `onError`.
      const notices: CaptureError[] = [];
      proxy.hooks.onListen.tap('history', () => {
        for (const notice of notices.splice(0)) context.report(notice);
      });
      const unavailable = (error: unknown) =>
        new CaptureError('HISTORY_UNAVAILABLE', `${error instanceof Error ? error.message : String(error)}; capturing goes on without saving history`, { cause: error });
      try {
        const opened = openHistoryDatabase(file, (message) => notices.push(new CaptureError('HISTORY_MIGRATING', `${file}: ${message}`)));
        if (opened.movedAside) notices.push(new CaptureError('HISTORY_DB_CORRUPT', opened.movedAside.message));
        if (opened.warning) notices.push(new CaptureError('HISTORY_DB_UNSAFE', opened.warning));
        // This connection writes the first batches, until the writer thread is up.
        limitWriterPageCache(opened.db);
        state.store = new HistoryStore(opened.db);
      } catch (error) {
        notices.push(unavailable(error));
        return;
      }
      // True from a reported failure until a write succeeds again: one line per outage (a full disk), not one per batch.
      let failing = false;
      const events: WorkerClientEvents = {
        onFailure: (message, dropped) => {
          if (failing) return;
          failing = true;
          context.report(
            new CaptureError('HISTORY_WRITE_FAILED', `cannot write to ${file} (${message}); ${dropped} exchange(s) not saved, capturing goes on and later writes are retried`),
            'onExchange',
          );
        },
        onResumed: (written, dropped) => {
          if (!failing) return;
          failing = false;
          context.report(
            new CaptureError(
              'HISTORY_WRITE_RESUMED',
              `writing to ${file} again: ${written} new exchange(s) saved since; ${dropped} exchange(s) captured while it could not be written were not saved`,
            ),
            'onExchange',
          );
        },
        onReopened: (message) => {
          // The thread found the file this thread already replaced (and said so): nothing new.
          if (fileIdentity(file) === hereIdentity && hereIdentity !== data.identity) return;
          // The reading connections (the view, the API) still see the removed file: follow the writer.
          void state.reader?.close();
          state.reader = undefined;
          try {
            state.store?.close();
            state.store = openWritingStore(file);
          } catch {
            state.store = undefined;
          }
          context.report(new CaptureError('HISTORY_FILE_REMOVED', message), 'onExchange');
        },
      };
      // The writer thread (a second V8 with its own copy of SQLite and these modules: tens of MiB
      // and most of a second) starts when there is something to write, to clear, or to prune: an
      // idle capture never pays for it. Opening the file above already checked what can fail at
      // start (a bad folder, a damaged or locked file), on this thread, and said so.
      /** True once the writer thread failed to start: every batch is written here. */
      let hereOnly = false;
      /** The file this thread's connection writes to (see writeHere). */
      let hereIdentity = fileIdentity(file);
      const data = { file, identity: hereIdentity, maxEntries: resolved.maxEntries, maxAge: resolved.maxAge, maxBytes: resolved.maxBytes };
      const writer = (): WriteWorkerClient | undefined => {
        // Also while closing: the queue's last batch, flushed by onClose, starts it if nothing did.
        if (state.client) return state.client;
        const client = new WriteWorkerClient(data, events);
        state.client = client;
        client.ready.catch((error: unknown) => {
          // It could not start (e.g. the working folder was deleted: a thread cannot start then).
          // Nothing was sent to it; history goes on, written on this thread, and says so once.
          if (state.client === client) state.client = undefined;
          hereOnly = true;
          const reason = error instanceof Error ? error.message : String(error);
          context.report(new CaptureError('HISTORY_WRITER_THREAD', `${reason}; history is written on the proxy's thread instead`), 'onExchange');
        });
        return client;
      };
      state.startWriter = writer;
      // Retention applies from the start (a lowered maxEntries, an old file past maxAge), not only
      // once something new is captured; with maxAge, old rows are pruned as time passes.
      if (resolved.maxAge !== undefined || state.store.pruneDue(resolved.maxEntries, resolved.maxBytes)) writer();
      // Until the thread is up (most of a second, longer on a busy machine) batches are written
      // here, on the connection opened at start: a captured exchange is on disk within
      // flushInterval from the first one, as when the thread started with capture. Here too a
      // removed file (its folder deleted) is noticed and replaced, as the thread does.
      const writeHere = (rows: HistoryRow[]) => {
        try {
          if (fileIdentity(file) !== hereIdentity) {
            void state.reader?.close();
            state.reader = undefined;
            state.store?.close();
            state.store = openWritingStore(file);
            hereIdentity = fileIdentity(file);
            context.report(new CaptureError('HISTORY_FILE_REMOVED', `${file} was removed while capturing; a new one was started in its place (what the removed file held is gone)`), 'onExchange');
          }
          state.store?.insertMany(rows);
        } catch (error) {
          events.onFailure(error instanceof Error ? error.message : String(error), rows.length);
        }
      };
      /** Rows whose large bodies no tap reads any more: the writer may take their memory (see `canHandOff`). */
      const handOver = new WeakSet<HistoryRow>();
      const queue = new BatchQueue<HistoryRow>(
        (rows) => {
          const client = hereOnly ? undefined : writer();
          if (client?.running) client.write(rows, handOver);
          else writeHere(rows);
        },
        { interval: resolved.flushInterval, size: resolved.batchSize },
      );
      state.queue = queue;
      // A WebSocket connection is listed (and shown) while open; its completed exchange replaces the row.
      proxy.hooks.onExchangeOpened.tap({ name: 'history', stage: Stage.STORAGE }, (exchange) => {
        queue.push(toOpenHistoryRow(exchange, resolved.saveResponses));
      });
      proxy.hooks.onExchange.tap({ name: 'history', stage: Stage.STORAGE }, (exchange) => {
        const row = toHistoryRow(exchange, resolved.saveResponses);
        queue.push(row);
        // A large body is handed to the writer, not copied, once no tap reads it any more.
        if (hasHandOffBody(row)) proxy.afterExchangeSettled(exchange, () => handOver.add(row));
      });
    },
  };
}

/** The `capture history` commands, reading `dataDir` when the options name one, else the command's data folder. */
function commandsFor(dataDir: string | undefined): CommandSpec[] {
  const specs = historyCommands();
  if (!dataDir) return specs;
  const at = (spec: CommandSpec): CommandSpec => {
    const run = spec.run;
    return {
      ...spec,
      ...(run ? { run: (input) => run({ ...input, context: { ...input.context, dataDir } }) } : {}),
      ...(spec.subcommands ? { subcommands: spec.subcommands.map(at) } : {}),
    };
  };
  return specs.map(at);
}

