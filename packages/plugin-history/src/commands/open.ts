import path from 'node:path';
import { PluginError, type CommandContext } from '@capture/core';
import { HISTORY_FILE, openHistoryDatabase } from '../database.js';
import { HistoryStore } from '../store.js';

/**
 * Opens `<data folder>/history.db` for a command; a damaged file is moved aside and said so on
 * stderr. A file that cannot be opened is a `PluginError` naming history (the CLI prints it).
 */
export function openStoreForCommand(context: CommandContext): HistoryStore {
  let opened: ReturnType<typeof openHistoryDatabase>;
  try {
    // Said as it happens: indexing a big old file takes a while, and the command waits for it.
    opened = openHistoryDatabase(path.join(context.dataDir, HISTORY_FILE), (message) => context.stderr.write(`capture: history: ${message}\n`));
  } catch (error) {
    throw PluginError.from('history', 'command', error);
  }
  if (opened.movedAside) context.stderr.write(`capture: history: ${opened.movedAside.message}\n`);
  if (opened.warning) context.stderr.write(`capture: history: warning: ${opened.warning}\n`);
  return new HistoryStore(opened.db);
}

/** Runs `work` with an open store and closes it afterwards. */
export async function withStore<T>(context: CommandContext, work: (store: HistoryStore) => T | Promise<T>): Promise<T> {
  const store = openStoreForCommand(context);
  try {
    return await work(store);
  } finally {
    store.close();
  }
}
