import path from 'node:path';
import type { CommandInput } from '@capture/core';
import { HISTORY_FILE } from '../database.js';
import { filterFromFlags, type FilterFlags } from '../query.js';
import type { HistorySummary } from '../store.js';
import { withStore } from './open.js';

/** How many exchanges `list` shows when `--limit` is not given. */
export const DEFAULT_LIST_LIMIT = 50;

/** `capture history list`: a table (or JSON) of exchanges, newest first. */
export async function runList({ options, context }: CommandInput): Promise<number> {
  const filter = filterFromFlags(options as FilterFlags, DEFAULT_LIST_LIMIT);
  const { summaries, empty } = await withStore(context, (store) => {
    const found = store.list(filter);
    return { summaries: found, empty: found.length === 0 && store.isEmpty() };
  });
  if (options.json) {
    context.stdout.write(`${JSON.stringify(summaries.map(toJson), null, 2)}\n`);
    return 0;
  }
  if (empty) {
    // Most often a proxy that ran with another data folder (CAPTURE_HOME or a config's dataDir):
    // say which history was read.
    context.stderr.write(`no exchanges in history: ${path.join(context.dataDir, HISTORY_FILE)} holds none (a proxy started with another CAPTURE_HOME or dataDir keeps its own)\n`);
    return 0;
  }
  if (!summaries.length) {
    context.stderr.write('no exchanges in history match\n');
    return 0;
  }
  // On a terminal rows are cut to its width (the path ends in an ellipsis); --wide, or output
  // to a pipe or file, keeps them whole.
  const columns = context.isTTY && !options.wide ? terminalColumns(context.stdout) : undefined;
  // cli-table3 (six modules) loads only here: JSON output and every other command never need it.
  const { formatTable } = await import('./table.js');
  context.stdout.write(`${formatTable(summaries, columns)}\n`);
  return 0;
}

/** The width of the terminal `stream` writes to (a tty.WriteStream's `columns`), else this process's stdout's. */
function terminalColumns(stream: unknown): number | undefined {
  const own = (stream as { columns?: unknown }).columns;
  if (typeof own === 'number' && own > 0) return own;
  return process.stdout.columns > 0 ? process.stdout.columns : undefined;
}

function toJson(summary: HistorySummary) {
  return {
    id: summary.id,
    startedAt: new Date(summary.startedAt).toISOString(),
    method: summary.method,
    url: summary.url,
    host: summary.host,
    source: summary.source,
    status: summary.status,
    ...(summary.grpcStatus ? { grpcStatus: summary.grpcStatus } : {}),
    httpVersion: summary.httpVersion,
    ...(summary.responseHttpVersion && summary.responseHttpVersion !== summary.httpVersion ? { responseHttpVersion: summary.responseHttpVersion } : {}),
    ...(summary.errorCode ? { error: summary.errorCode } : {}),
    ...(summary.open ? { open: true } : {}),
    size: summary.size,
    duration: Math.round(summary.duration * 10) / 10,
  };
}
