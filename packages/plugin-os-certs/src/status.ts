import type { Store, TargetEnv, TargetName } from './targets/index.js';
import { isCurrent } from './targets/target.js';

/** Whether a store trusts the CA: `stale` when only an older capture CA is there (after `capture ca regenerate`). */
export type StoreState = 'installed' | 'stale' | 'not installed' | 'unknown';

/** One store's line of `capture ca status` (also its `--json` record). */
export interface StatusRow {
  readonly target: TargetName;
  readonly location: string;
  readonly state: StoreState;
  /** Older capture CAs still trusted there. */
  readonly stale: ReadonlyArray<{ commonName: string; sha1: string; sha256?: string }>;
  /** Why it could not be inspected. */
  readonly problem?: string;
  /** A browser that must be restarted to see changes. */
  readonly inUse?: string;
}

/** The status of each store found, by fingerprint. */
export function statusRows(env: TargetEnv, found: ReadonlyArray<{ target: TargetName; store: Store }>): StatusRow[] {
  return found.map(({ target, store }) => {
    const current = store.entries.some((entry) => isCurrent(env, entry));
    const stale = store.entries
      .filter((entry) => !isCurrent(env, entry))
      .map((entry) => ({ commonName: entry.commonName, sha1: entry.sha1, ...(entry.sha256 ? { sha256: entry.sha256 } : {}) }));
    const state: StoreState = store.problem ? 'unknown' : current ? 'installed' : stale.length ? 'stale' : 'not installed';
    return { target, location: store.location, state, stale, ...(store.problem ? { problem: store.problem } : {}), ...(store.inUse ? { inUse: store.inUse } : {}) };
  });
}

/** The text of `capture ca status`: the CA, then one aligned line per store with what to do. */
export function formatStatus(env: TargetEnv, rows: readonly StatusRow[], unknownSystem: string | undefined): string {
  const lines = [`CA: ${env.ca.commonName}  SHA-256 ${env.ca.sha256}`, `    ${env.ca.path}`];
  const targetWidth = Math.max(0, ...rows.map((row) => row.target.length));
  const stateWidth = Math.max(0, ...rows.map((row) => row.state.length));
  for (const row of rows) {
    const extra: string[] = [];
    if (row.problem) extra.push(row.problem);
    if (row.stale.length) {
      extra.push(`older capture CA still trusted: ${row.stale.map((entry) => entry.commonName).join(', ')}; "capture ca install --target ${row.target}" replaces it`);
    }
    if (row.inUse) extra.push(row.inUse);
    lines.push(`${row.target.padEnd(targetWidth)}  ${row.state.padEnd(stateWidth)}  ${row.location}${extra.length ? `  (${extra.join('; ')})` : ''}`);
  }
  if (unknownSystem) lines.push(`no system store is known for ${unknownSystem}; name one with --target`);
  if (!rows.length && !unknownSystem) lines.push('no certificate store found');
  return `${lines.join('\n')}\n`;
}
