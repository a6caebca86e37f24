import { CaptureError } from '@capture/core';
import type { HistoryFilter } from '@capture/plugin-history';

/**
 * The filter flags `capture openapi` shares with `capture history list`, as commander gives
 * them. The history plugin does not export its own parser, so this mirrors it (same flags, same
 * messages); the lead may replace it with history's once that is public.
 */
export interface FilterFlags {
  host?: string;
  method?: string;
  status?: string;
  search?: string;
  since?: string;
  limit?: string;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `--since`: a duration back from `now` (`10m`, `2h`, `7d`) or a date (`2024-05-01T10:00`), as epoch milliseconds. */
export function parseSince(value: string, now = Date.now()): number | undefined {
  const duration = /^(\d+(?:\.\d+)?)\s*([smhdw])$/i.exec(value.trim());
  if (duration) return now - Number(duration[1]) * UNITS[duration[2]!.toLowerCase()]!;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

/** Checks and converts the filter flags; a bad value is a usage error naming the flag. */
export function filterFromFlags(flags: FilterFlags): HistoryFilter {
  const usage = (message: string) => new CaptureError('USAGE', message);
  const filter: HistoryFilter = {};
  if (flags.host) filter.host = flags.host;
  if (flags.method) filter.methods = flags.method.split(',').map((method) => method.trim()).filter(Boolean);
  if (flags.status) {
    filter.statuses = flags.status.split(',').map((status) => status.trim());
    for (const status of filter.statuses) {
      if (!/^([1-5]\d\d|[1-5]xx)$/i.test(status)) throw usage(`--status expects a status code or class such as 404 or 4xx, got "${status}"`);
    }
  }
  if (flags.search) filter.search = flags.search;
  if (flags.since) {
    const since = parseSince(flags.since);
    if (since === undefined) throw usage(`--since expects a duration such as 10m, 2h, 7d or a date such as 2024-05-01T10:00, got "${flags.since}"`);
    filter.since = since;
  }
  if (flags.limit !== undefined) {
    if (!/^\d+$/.test(flags.limit) || Number(flags.limit) < 1) throw usage(`--limit expects a number of at least 1, got "${flags.limit}"`);
    filter.limit = Number(flags.limit);
  }
  return filter;
}
