/**
 * How `capture history list` and `show` print times, paths and long text. Sizes and durations
 * are core's `formatBytes` and `formatDuration`, so they read as the live log and the web view
 * print them.
 */
export { formatBytes, formatDuration } from '@capture/core/record';

/** Local time: `14:47:14` for today, `2024-05-01 14:47` for other days. */
export function formatTime(epochMs: number, now = new Date()): string {
  const date = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  const sameDay = date.toDateString() === now.toDateString();
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  return sameDay ? `${time}:${pad(date.getSeconds())}` : `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${time}`;
}

/** Local date and time with seconds: `2024-05-01 14:47:14`. */
export function formatDateTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** The path and query of a URL (the whole string when it is not one). */
export function pathOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return url;
  }
}

/** Shortens text to `max` characters with an ellipsis. */
export function ellipsis(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
