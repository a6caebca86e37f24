import path from 'node:path';
import type { Plan } from '../plan.js';
import { inspectNssDb, nssInstallSteps, nssUninstallSteps } from './nss-db.js';
import { isCurrent, type Target, type TargetEnv } from './target.js';

/** The NSS database of Chrome and Chromium on Linux: `~/.pki/nssdb`, unless `--nss-db` names another. */
export function nssDbFolder(env: TargetEnv): string {
  return env.nssDb ?? path.join(env.home, '.pki', 'nssdb');
}

/**
 * The NSS database Chrome and Chromium read on Linux (they ignore the system store for
 * user-added CAs), changed with certutil from the NSS tools; created when missing, as Chrome
 * itself would. No root needed: it is the user's.
 */
export const nss: Target = {
  name: 'nss',
  title: 'the NSS database of Chrome and Chromium',
  kind: 'browser',
  async stores(env) {
    return [await inspectNssDb(env, nssDbFolder(env))];
  },
  plan(action, env, stores): Plan {
    const store = stores[0]!;
    if (action === 'install') {
      const already = store.entries.some((entry) => isCurrent(env, entry));
      return {
        target: 'nss',
        summary: `install ${env.ca.commonName} into the NSS database ${store.location}`,
        needsRoot: false,
        steps: nssInstallSteps(env, store, true),
        notes: already ? [`${env.ca.commonName} is already trusted in ${store.location}`] : ['restart Chrome or Chromium so it reads the change'],
      };
    }
    return {
      target: 'nss',
      summary: `remove ${env.ca.commonName} from the NSS database ${store.location}`,
      needsRoot: false,
      steps: nssUninstallSteps(env, store),
      notes: store.entries.length ? ['restart Chrome or Chromium so it reads the change'] : [`no capture CA is in ${store.location}`],
    };
  },
};
