// Core's record helpers, bundled into the page (`@capture/core/record` imports nothing from
// Node), so sizes and durations read here as in `capture history list` and the live log.
import { formatBytes as bytesText, formatDuration as durationText } from '@capture/core/record';

/** `1.3 kB`, `12 B` (core's `formatBytes`), `–` for unknown. */
export function formatBytes(bytes: number | null | undefined): string {
  return bytes === null || bytes === undefined ? '–' : bytesText(bytes);
}

/** `14 ms`, `1.25 s` (core's `formatDuration`), `–` for unknown. */
export function formatDuration(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '–' : durationText(ms);
}

/** `14:47:14` today, with the date otherwise. */
export function formatTime(epoch: number): string {
  const date = new Date(epoch);
  const time = date.toLocaleTimeString([], { hour12: false });
  return date.toDateString() === new Date().toDateString() ? time : `${date.toLocaleDateString()} ${time}`;
}

/** The CSS class for a status: `s2` for 2xx … `s5`, `err` without one. */
export function statusClass(status: number | null): string {
  return status === null ? 'err' : `s${Math.floor(status / 100)}`;
}
