import path from 'node:path';
import type { Plan, RunStep } from '../plan.js';
import { installHint } from '../tools.js';
import { ANCHOR_FILE, inspectBundle, underRoot } from './system-bundle.js';
import type { Target, TargetEnv } from './target.js';

/** Where local CAs go on Debian, Ubuntu and Mint. */
export const DEBIAN_ANCHORS = '/usr/local/share/ca-certificates';
/** The bundle update-ca-certificates builds, which OpenSSL, curl, Node (with --use-openssl-ca) and most tools read. */
export const DEBIAN_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

/**
 * update-ca-certificates, pointed inside the root when it is not `/` (its options name every
 * folder and file it reads or writes, so an image of a system can be updated in place).
 */
function updateCaCertificates(env: TargetEnv, extra: string[]): RunStep {
  const inside = env.root === '/'
    ? []
    : [
        '--certsconf', underRoot(env, '/etc/ca-certificates.conf'),
        '--certsdir', underRoot(env, '/usr/share/ca-certificates'),
        '--localcertsdir', underRoot(env, DEBIAN_ANCHORS),
        '--etccertsdir', underRoot(env, '/etc/ssl/certs'),
        '--hooksdir', underRoot(env, '/etc/ca-certificates/update.d'),
      ];
  return { type: 'run', command: 'update-ca-certificates', args: [...extra, ...inside], install: installHint('update-ca-certificates', env) };
}

/** The system store of Debian, Ubuntu, Mint and their relatives (`update-ca-certificates`). */
export const debian: Target = {
  name: 'debian',
  title: 'the Debian/Ubuntu system store',
  kind: 'system',
  async stores(env) {
    return [await inspectBundle(env, DEBIAN_BUNDLE, path.posix.join(DEBIAN_ANCHORS, ANCHOR_FILE))];
  },
  plan(action, env, stores): Plan {
    const anchors = underRoot(env, DEBIAN_ANCHORS);
    const anchor = path.join(anchors, ANCHOR_FILE);
    const needsRoot = env.root === '/';
    if (action === 'install') {
      return {
        target: 'debian',
        summary: `install ${env.ca.commonName} into the Debian/Ubuntu system store`,
        needsRoot,
        steps: [{ type: 'mkdir', path: anchors }, { type: 'copy', from: env.ca.path, to: anchor }, updateCaCertificates(env, [])],
        notes: ['programs read the store when they start: restart the ones that should trust the CA'],
      };
    }
    const store = stores[0];
    const present = !store || store.files.length > 0 || store.entries.length > 0;
    return {
      target: 'debian',
      summary: `remove ${env.ca.commonName} from the Debian/Ubuntu system store`,
      needsRoot,
      // --fresh rebuilds the bundle and its links from scratch, so no link to the CA survives.
      steps: present ? [{ type: 'remove', path: anchor }, updateCaCertificates(env, ['--fresh'])] : [],
      notes: present ? [] : [`${ANCHOR_FILE} is not in ${anchors} and no capture CA is in ${store.location}`],
    };
  },
};
