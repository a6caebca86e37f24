import path from 'node:path';
import type { CommandContext } from '@capture/core';
import { HISTORY_FILE, openHistoryDatabase } from '../database.js';
import { HistoryStore } from '../store.js';

/** Opens `<data folder>/history.db` for a command; a damaged file is moved aside and said so on stderr. */
export function openStoreForCommand(context: CommandContext): HistoryStore {
  const opened = openHistoryDatabase(path.join(context.dataDir, HISTORY_FILE));
  if (opened.movedAside) context.stderr.write(`capture: ${opened.movedAside.message}\n`);
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
