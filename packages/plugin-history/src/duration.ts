import ms from 'ms';

/**
 * Parses a duration: milliseconds as a number, or text such as `30d`, `12h`, `90m`, `1.5h`
 * (the `ms` package's units). Returns undefined when it is not one.
 */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? value : undefined;
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const parsed = ms(value.trim() as ms.StringValue) as number | undefined;
  return typeof parsed === 'number' && Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
}

/**
 * Parses a `--since` value into epoch milliseconds: a duration back from `now` (`10m`, `2h`,
 * `7d`) or a date or date-time (`2024-05-01`, `2024-05-01T10:00`, ISO 8601 with a zone).
 */
export function parseSince(value: string, now = Date.now()): number | undefined {
  const duration = /^\d/.test(value) && /[a-z]$/i.test(value.trim()) ? parseDuration(value) : undefined;
  if (duration !== undefined) return now - duration;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}
