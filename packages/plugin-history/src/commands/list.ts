import Table from 'cli-table3';
import type { CommandInput } from '@capture/core';
import { ellipsis, formatBytes, formatDuration, formatTime, pathOf } from '../format.js';
import { filterFromFlags, type FilterFlags } from '../query.js';
import type { HistorySummary } from '../store.js';
import { withStore } from './open.js';

/** How many exchanges `list` shows when `--limit` is not given. */
export const DEFAULT_LIST_LIMIT = 50;

/** `capture history list`: a table (or JSON) of exchanges, newest first. */
export async function runList({ options, context }: CommandInput): Promise<number> {
  const filter = filterFromFlags(options as FilterFlags, DEFAULT_LIST_LIMIT);
  const summaries = await withStore(context, (store) => store.list(filter));
  if (options.json) {
    context.stdout.write(`${JSON.stringify(summaries.map(toJson), null, 2)}\n`);
    return 0;
  }
  if (!summaries.length) {
    context.stderr.write('no exchanges in history match\n');
    return 0;
  }
  context.stdout.write(`${formatTable(summaries, context.isTTY)}\n`);
  return 0;
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
    ...(summary.errorCode ? { error: summary.errorCode } : {}),
    size: summary.size,
    duration: Math.round(summary.duration * 10) / 10,
  };
}

/** The readable table: id, time, method, status, host, path, size, duration. */
export function formatTable(summaries: HistorySummary[], tty: boolean): string {
  const table = new Table({
    head: ['ID', 'TIME', 'METHOD', 'STATUS', 'HOST', 'PATH', 'SIZE', 'DURATION'],
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
    },
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    colAligns: ['right', 'left', 'left', 'left', 'left', 'left', 'right', 'right'],
  });
  const now = new Date();
  for (const summary of summaries) {
    table.push([
      String(summary.id),
      formatTime(summary.startedAt, now),
      summary.method,
      summary.status !== null ? String(summary.status) : summary.errorCode ? 'ERR' : '-',
      summary.host,
      // On a terminal long paths are cut so a row fits a line; piped output keeps them whole.
      tty ? ellipsis(pathOf(summary.url), 60) : pathOf(summary.url),
      summary.size === null ? '' : formatBytes(summary.size),
      formatDuration(summary.duration),
    ]);
  }
  return table.toString().split('\n').map((line) => line.trimEnd()).join('\n');
}
