import type { Plan, RunStep, Step } from '../plan.js';
import { installHint } from '../tools.js';
import { isCurrent, type StoreEntry, type Target, type TargetEnv } from './target.js';

/** `-user` for the current user's store; nothing for the machine's (needs Administrator). */
function storeFlag(env: TargetEnv): string[] {
  return env.elevated ? [] : ['-user'];
}

function certutil(env: TargetEnv, args: string[], undo?: string[]): RunStep {
  return { type: 'run', command: 'certutil', args: [...storeFlag(env), ...args], install: installHint('certutil.exe', env), ...(undo ? { undo: { command: 'certutil', args: [...storeFlag(env), ...undo] } } : {}) };
}

/**
 * Parses `certutil -store Root`: blocks per certificate with a `Subject:` line and a
 * `Cert Hash(sha1):` line (hex, with spaces on older Windows).
 */
export function parseCertutilStore(output: string): Array<{ subject: string; sha1: string }> {
  const found: Array<{ subject: string; sha1: string }> = [];
  for (const block of output.split(/^=+ Certificate \d+ =+\s*$/m).slice(1)) {
    const subject = /^Subject:\s*(.*)$/m.exec(block)?.[1]?.trim() ?? '';
    const hash = /^Cert Hash\(sha1\):\s*([0-9a-fA-F ]+)$/m.exec(block)?.[1];
    if (hash) found.push({ subject, sha1: hash.replaceAll(' ', '').toUpperCase() });
  }
  return found;
}

/** The fields of a Windows distinguished name (`CN=…, O=…`). */
function dnField(subject: string, key: string): string | undefined {
  for (const part of subject.split(/,\s*/)) {
    const [name, ...rest] = part.split('=');
    if (name?.trim().toUpperCase() === key) return rest.join('=').trim();
  }
  return undefined;
}

/**
 * Windows: the Trusted Root Certification Authorities store through certutil, the machine's
 * when elevated (all users, as the guide's "Local Machine"), else the current user's (Windows
 * then asks the user to confirm). Stores are searched by SHA-1 thumbprint.
 */
export const windows: Target = {
  name: 'windows',
  title: 'the Windows Root store',
  kind: 'system',
  async stores(env) {
    const location = env.elevated ? 'Root (Local Machine)' : 'Root (Current User)';
    const listed = await env.exec('certutil', [...storeFlag(env), '-store', 'Root']);
    if (listed.missing) return [{ location, exists: false, entries: [], files: [], problem: `certutil not found; ${installHint('certutil.exe', env)}` }];
    const entries: StoreEntry[] = [];
    for (const { subject, sha1 } of parseCertutilStore(listed.output)) {
      const commonName = dnField(subject, 'CN') ?? '';
      const isCaptureCa = dnField(subject, 'O') === 'capture' && commonName.startsWith('capture proxy CA');
      if (isCaptureCa || sha1 === env.ca.sha1) entries.push({ sha1, commonName, isCaptureCa });
    }
    return [{ location, exists: true, entries, files: [] }];
  },
  plan(action, env, stores): Plan {
    const entries = stores[0]?.entries ?? [];
    let steps: Step[];
    if (action === 'install') {
      steps = entries.filter((entry) => !isCurrent(env, entry)).map((entry) => certutil(env, ['-delstore', 'Root', entry.sha1]));
      if (!entries.some((entry) => isCurrent(env, entry))) steps.push(certutil(env, ['-f', '-addstore', 'Root', env.ca.path], ['-delstore', 'Root', env.ca.sha1]));
    } else {
      steps = [...new Set(entries.map((entry) => entry.sha1))].map((sha1) => certutil(env, ['-delstore', 'Root', sha1]));
    }
    const store = env.elevated ? "the machine's Root store" : "your user's Root store";
    const notes = action === 'install' && !env.elevated
      ? ['Windows asks you to confirm a new root certificate: answer Yes', 'to trust it for every user, run this again from a terminal opened as Administrator']
      : [];
    return {
      target: 'windows',
      summary: `${action === 'install' ? 'install' : 'remove'} ${env.ca.commonName} ${action === 'install' ? 'into' : 'from'} ${store}`,
      needsRoot: false,
      steps,
      notes: [...notes, ...(action === 'install' ? ['restart browsers and apps that should trust the CA'] : [])],
    };
  },
};
