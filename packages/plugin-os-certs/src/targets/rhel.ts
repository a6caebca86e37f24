import path from 'node:path';
import type { Plan, RunStep } from '../plan.js';
import { installHint } from '../tools.js';
import { ANCHOR_FILE, inspectBundle, underRoot } from './system-bundle.js';
import type { Target, TargetEnv } from './target.js';

/** Where local CAs go on RHEL, CentOS, Fedora, Rocky and Alma. */
export const RHEL_ANCHORS = '/etc/pki/ca-trust/source/anchors';
/** The TLS bundle `update-ca-trust extract` writes. */
export const RHEL_BUNDLE = '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem';

function updateCaTrust(env: TargetEnv): RunStep {
  return { type: 'run', command: 'update-ca-trust', args: ['extract'], install: installHint('update-ca-trust', env) };
}

/** The system store of RHEL, CentOS, Fedora, Rocky and Alma (`update-ca-trust`). */
export const rhel: Target = {
  name: 'rhel',
  title: 'the RHEL/Fedora system store',
  kind: 'system',
  async stores(env) {
    return [await inspectBundle(env, RHEL_BUNDLE, path.posix.join(RHEL_ANCHORS, ANCHOR_FILE))];
  },
  plan(action, env, stores): Plan {
    const anchors = underRoot(env, RHEL_ANCHORS);
    const anchor = path.join(anchors, ANCHOR_FILE);
    const needsRoot = env.root === '/';
    if (action === 'install') {
      return {
        target: 'rhel',
        summary: `install ${env.ca.commonName} into the RHEL/Fedora system store`,
        needsRoot,
        steps: [{ type: 'mkdir', path: anchors }, { type: 'copy', from: env.ca.path, to: anchor }, updateCaTrust(env)],
        notes: ['programs read the store when they start: restart the ones that should trust the CA'],
      };
    }
    const store = stores[0];
    const present = !store || store.files.length > 0 || store.entries.length > 0;
    return {
      target: 'rhel',
      summary: `remove ${env.ca.commonName} from the RHEL/Fedora system store`,
      needsRoot,
      steps: present ? [{ type: 'remove', path: anchor }, updateCaTrust(env)] : [],
      notes: present ? [] : [`${ANCHOR_FILE} is not in ${anchors} and no capture CA is in ${store.location}`],
    };
  },
};
