import { describePem, pemBlocks } from '../ca.js';
import type { Plan, RunStep, Step } from '../plan.js';
import { installHint } from '../tools.js';
import { isCurrent, type StoreEntry, type Target, type TargetEnv } from './target.js';

/** The keychain whose trust every user and app on the Mac shares. */
export const SYSTEM_KEYCHAIN = '/Library/Keychains/System.keychain';

function security(env: TargetEnv, args: string[], undo?: string[]): RunStep {
  return { type: 'run', command: 'security', args, install: installHint('security', env), ...(undo ? { undo: { command: 'security', args: undo } } : {}) };
}

const deleteBySha1 = (env: TargetEnv, sha1: string): RunStep => security(env, ['delete-certificate', '-Z', sha1, SYSTEM_KEYCHAIN]);

/**
 * macOS: the System keychain, with trust for TLS set by `add-trusted-cert -d -r trustRoot`
 * (what the guide's Keychain Access steps do by hand). Removal is by SHA-1 hash, so only
 * capture's certificates can go, whatever their names.
 */
export const macos: Target = {
  name: 'macos',
  title: 'the macOS System keychain',
  kind: 'system',
  async stores(env) {
    const base = { location: SYSTEM_KEYCHAIN, files: [] };
    const listed = await env.exec('security', ['find-certificate', '-a', '-p', SYSTEM_KEYCHAIN]);
    if (listed.missing) return [{ ...base, exists: false, entries: [], problem: `security not found; ${installHint('security', env)}` }];
    if (listed.code !== 0) return [{ ...base, exists: false, entries: [], problem: `security find-certificate failed: ${listed.output.trim()}` }];
    const entries: StoreEntry[] = [];
    for (const pem of pemBlocks(listed.output)) {
      const found = describePem(pem);
      if (found && (found.isCaptureCa || found.sha1 === env.ca.sha1)) entries.push(found);
    }
    return [{ ...base, exists: true, entries }];
  },
  plan(action, env, stores): Plan {
    const entries = stores[0]?.entries ?? [];
    let steps: Step[];
    if (action === 'install') {
      steps = entries.filter((entry) => !isCurrent(env, entry)).map((entry) => deleteBySha1(env, entry.sha1));
      if (!entries.some((entry) => isCurrent(env, entry))) {
        steps.push(security(env, ['add-trusted-cert', '-d', '-r', 'trustRoot', '-k', SYSTEM_KEYCHAIN, env.ca.path], ['delete-certificate', '-Z', env.ca.sha1, SYSTEM_KEYCHAIN]));
      }
    } else {
      steps = [...new Set(entries.map((entry) => entry.sha1))].map((sha1) => deleteBySha1(env, sha1));
    }
    return {
      target: 'macos',
      summary: `${action === 'install' ? 'install' : 'remove'} ${env.ca.commonName} ${action === 'install' ? 'into' : 'from'} the macOS System keychain`,
      needsRoot: true,
      steps,
      notes: action === 'install' ? ['Safari and Chrome use it at once; restart other apps that should trust the CA'] : [],
    };
  },
};
