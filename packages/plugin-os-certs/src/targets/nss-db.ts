import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describePem, pemBlocks } from '../ca.js';
import type { RunStep, Step } from '../plan.js';
import { installHint } from '../tools.js';
import { isCurrent, type Store, type StoreEntry, type TargetEnv } from './target.js';

/** The trust NSS gives the CA: a trusted issuer of TLS server certificates (`C,,`). */
export const NSS_TRUST = 'C,,';

/** certutil's name for a database folder in the SQL format (cert9.db, key4.db) that browsers use. */
export function nssDbArg(folder: string): string {
  return `sql:${folder}`;
}

/** True when the folder holds an NSS database (cert9.db). */
export async function hasNssDb(folder: string): Promise<boolean> {
  try {
    return (await fs.stat(path.join(folder, 'cert9.db'))).isFile();
  } catch {
    return false;
  }
}

/**
 * Inspects an NSS database: lists its certificates with certutil and exports those trusted for
 * TLS (a `C`, `c` or `T` in the SSL column) to compare fingerprints; Firefox also keeps cached
 * intermediates there, untrusted, which are skipped.
 */
export async function inspectNssDb(env: TargetEnv, folder: string, inUse?: string): Promise<Store> {
  const base = { location: folder, files: [], ...(inUse ? { inUse } : {}) };
  if (!(await hasNssDb(folder))) return { ...base, exists: false, entries: [] };
  const list = await env.exec('certutil', ['-L', '-d', nssDbArg(folder)]);
  if (list.missing) return { ...base, exists: true, entries: [], problem: `certutil not found; ${installHint('certutil', env)}` };
  if (list.code !== 0) return { ...base, exists: true, entries: [], problem: `certutil -L failed: ${list.output.trim()}` };
  const entries: StoreEntry[] = [];
  for (const { nickname, trust } of parseCertutilList(list.output)) {
    if (!/[CcT]/.test(trust.split(',')[0] ?? '')) continue;
    const exported = await env.exec('certutil', ['-L', '-d', nssDbArg(folder), '-n', nickname, '-a']);
    if (exported.code !== 0) continue;
    for (const pem of pemBlocks(exported.output)) {
      const found = describePem(pem);
      if (found && (found.isCaptureCa || found.sha1 === env.ca.sha1)) entries.push({ ...found, nickname });
    }
  }
  return { ...base, exists: true, entries };
}

/** Parses `certutil -L`: a nickname, padded, then the trust attributes (`C,,`, `CT,C,C`, `,,`). */
export function parseCertutilList(output: string): Array<{ nickname: string; trust: string }> {
  const rows: Array<{ nickname: string; trust: string }> = [];
  for (const line of output.split(/\r?\n/)) {
    const match = /^(.*\S)\s+([A-Za-z]*,[A-Za-z]*,[A-Za-z]*)\s*$/.exec(line);
    if (!match || match[1] === 'Certificate Nickname') continue;
    rows.push({ nickname: match[1]!, trust: match[2]! });
  }
  return rows;
}

/** What the NSS steps need of the target environment: the CA, and the platform for install hints. */
export type NssEnv = Pick<TargetEnv, 'ca' | 'platform' | 'family'>;

function certutil(env: NssEnv, args: string[], undo?: string[]): RunStep {
  return { type: 'run', command: 'certutil', args, install: installHint('certutil', env), ...(undo ? { undo: { command: 'certutil', args: undo } } : {}) };
}

/**
 * Steps that leave the CA, and no older capture CA, trusted in a database: create it when
 * missing (`create`), delete older capture CAs, add the CA with `C,,` unless it is there.
 */
export function nssInstallSteps(env: NssEnv, store: Store, create: boolean): Step[] {
  const db = nssDbArg(store.location);
  const steps: Step[] = [];
  if (!store.exists && create) steps.push({ type: 'mkdir', path: store.location }, certutil(env, ['-N', '-d', db, '--empty-password']));
  const current = new Set(store.entries.filter((entry) => isCurrent(env, entry)).map((entry) => entry.nickname));
  for (const nickname of nicknames(store.entries.filter((entry) => !isCurrent(env, entry)))) {
    if (!current.has(nickname)) steps.push(certutil(env, ['-D', '-d', db, '-n', nickname]));
  }
  if (!store.entries.some((entry) => isCurrent(env, entry))) {
    const nickname = env.ca.commonName;
    steps.push(certutil(env, ['-A', '-d', db, '-n', nickname, '-t', NSS_TRUST, '-i', env.ca.path], ['-D', '-d', db, '-n', nickname]));
  }
  return steps;
}

/** Steps that delete the CA and older capture CAs from a database (by the nicknames they were found under). */
export function nssUninstallSteps(env: NssEnv, store: Store): Step[] {
  const db = nssDbArg(store.location);
  const current = new Set(store.entries.filter((entry) => isCurrent(env, entry)).map((entry) => entry.nickname));
  return nicknames(store.entries).map((nickname) =>
    certutil(env, ['-D', '-d', db, '-n', nickname], current.has(nickname) ? ['-A', '-d', db, '-n', nickname, '-t', NSS_TRUST, '-i', env.ca.path] : undefined),
  );
}

/** Each nickname once (certutil lists a nickname once per certificate it names). */
function nicknames(entries: readonly StoreEntry[]): string[] {
  return [...new Set(entries.map((entry) => entry.nickname).filter((nickname): nickname is string => nickname !== undefined))];
}
