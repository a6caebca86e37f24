/** `capture history list`'s table, in a module of its own so cli-table3 loads only when a table is printed. */
import Table from 'cli-table3';
import { ellipsis, formatBytes, formatDuration, formatTime, pathOf } from '../format.js';
import type { HistorySummary } from '../store.js';

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
