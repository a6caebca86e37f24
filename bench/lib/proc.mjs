// What the benchmark reads about a proxy process from /proc (Linux): its peak resident memory and
// the CPU time it has used, so every proxy (Node or Python) is measured the same way from outside.
import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat; 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** Peak resident set (VmHWM) in MiB, or undefined when /proc cannot tell. */
export function peakRssMiB(pid) {
  try {
    const kib = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
    return Number.isFinite(kib) ? Math.round((kib / 1024) * 10) / 10 : undefined;
  } catch {
    return undefined;
  }
}

/** User plus system CPU seconds used so far by all threads of `pid`, or NaN when /proc cannot tell. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces: utime and stime
    // are fields 14 and 15 of the whole line, so 12th and 13th after the ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/**
 * Resolves once `pid` has gone quiet: at most one clock tick of CPU over `quietMs`, checked every
 * `quietMs`, for at most `maxMs`. A proxy still busy with the last run's work (a writer thread
 * storing a 10 MiB capture, a thread starting) would otherwise spend it in the next target's run
 * on a shared machine. Resolves with the milliseconds waited.
 */
export async function waitUntilIdle(pid, { quietMs = 200, maxMs = 10_000 } = {}) {
  const began = Date.now();
  let last = cpuSeconds(pid);
  while (Date.now() - began < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const now = cpuSeconds(pid);
    if (!Number.isFinite(now) || now - last <= 1 / TICKS_PER_SECOND) break;
    last = now;
  }
  return Date.now() - began;
}
