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
  // On a terminal rows are cut to its width (the path ends in an ellipsis); --wide, or output
  // to a pipe or file, keeps them whole.
  const columns = context.isTTY && !options.wide ? terminalColumns(context.stdout) : undefined;
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

/** The narrowest a cut path gets: below this the row wraps rather than lose the path entirely. */
const MIN_PATH = 12;

/**
 * The readable table: id, time, method, status, host, path, size, duration. With `columns` (a
 * terminal's width) every row fits it: the path is shortened with an ellipsis as much as needed.
 */
export function formatTable(summaries: HistorySummary[], columns?: number): string {
  const whole = renderTable(summaries, Infinity);
  if (columns === undefined) return whole;
  const widest = Math.max(...whole.split('\n').map((line) => line.length));
  if (widest <= columns) return whole;
  const longestPath = Math.max(...summaries.map((summary) => pathOf(summary.url).length));
  return renderTable(summaries, Math.max(MIN_PATH, longestPath - (widest - columns)));
}

function renderTable(summaries: HistorySummary[], maxPath: number): string {
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
      summary.grpcStatus ?? (summary.status !== null ? `${summary.status}${summary.open ? ' open' : ''}` : summary.errorCode ? 'ERR' : '-'),
      summary.host,
      ellipsis(pathOf(summary.url), maxPath),
      summary.size === null ? '' : formatBytes(summary.size),
      formatDuration(summary.duration),
    ]);
  }
  return table.toString().split('\n').map((line) => line.trimEnd()).join('\n');
}
