import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CaptureError } from '@capture/core';
import type { Plan, Step } from '../plan.js';
import { hasNssDb, inspectNssDb, nssInstallSteps, nssUninstallSteps } from './nss-db.js';
import type { Store, Target, TargetEnv } from './target.js';

/** Where Firefox keeps its profiles on each platform (Linux also as a Snap and a Flatpak). */
export function firefoxProfileRoots(env: TargetEnv): string[] {
  if (env.firefoxProfiles) return [...env.firefoxProfiles];
  switch (env.platform) {
    case 'darwin':
      return [path.join(env.home, 'Library', 'Application Support', 'Firefox', 'Profiles')];
    case 'win32':
      return [path.join(env.appData ?? path.join(env.home, 'AppData', 'Roaming'), 'Mozilla', 'Firefox', 'Profiles')];
    default:
      return [
        path.join(env.home, '.mozilla', 'firefox'),
        path.join(env.home, 'snap', 'firefox', 'common', '.mozilla', 'firefox'),
        path.join(env.home, '.var', 'app', 'org.mozilla.firefox', '.mozilla', 'firefox'),
      ];
  }
}

/** Every profile folder (one holding cert9.db) directly under the roots. */
export async function findFirefoxProfiles(roots: readonly string[]): Promise<string[]> {
  const profiles: string[] = [];
  for (const root of roots) {
    let names: string[];
    try {
      names = (await fs.readdir(root, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    } catch {
      continue;
    }
    for (const name of names) {
      if (await hasNssDb(path.join(root, name))) profiles.push(path.join(root, name));
    }
  }
  return profiles;
}

/**
 * Whether Firefox has a profile open. On Linux a running Firefox holds a `lock` symlink whose
 * target ends in `+PID`: checked against live processes, so a lock left by a crash does not
 * count. Elsewhere the lock file stays after exit, so the answer is unknown.
 */
export async function firefoxRunning(profile: string, platform: NodeJS.Platform = process.platform): Promise<boolean | undefined> {
  let target: string;
  try {
    target = await fs.readlink(path.join(profile, 'lock'));
  } catch {
    return platform === 'linux' ? false : undefined;
  }
  const pid = Number(/\+(\d+)$/.exec(target)?.[1]);
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Every Firefox profile found (its cert9.db), changed with certutil like the NSS target; Firefox
 * reads its database at start, so a running Firefox must be restarted.
 */
export const firefox: Target = {
  name: 'firefox',
  title: 'Firefox profiles',
  kind: 'browser',
  async stores(env) {
    const stores: Store[] = [];
    for (const profile of await findFirefoxProfiles(firefoxProfileRoots(env))) {
      const running = await firefoxRunning(profile, env.platform);
      stores.push(await inspectNssDb(env, profile, running ? 'Firefox is running with this profile' : undefined));
    }
    return stores;
  },
  plan(action, env, stores): Plan {
    if (stores.length === 0) {
      throw new CaptureError('OS_CERTS_NO_STORE', `firefox: no Firefox profile (a folder with cert9.db) under ${firefoxProfileRoots(env).join(', ')}; start Firefox once to create one`);
    }
    const steps: Step[] = stores.flatMap((store) => (action === 'install' ? nssInstallSteps(env, store, false) : nssUninstallSteps(env, store)));
    const running = stores.filter((store) => store.inUse);
    const notes = running.length
      ? [`Firefox is running (${running.map((store) => path.basename(store.location)).join(', ')}): restart it so it reads the change`]
      : env.platform === 'linux'
        ? []
        : ['restart Firefox if it is running, so it reads the change'];
    const where = `${stores.length} Firefox profile${stores.length === 1 ? '' : 's'}`;
    return {
      target: 'firefox',
      summary: action === 'install' ? `install ${env.ca.commonName} into ${where}` : `remove ${env.ca.commonName} from ${where}`,
      needsRoot: false,
      steps,
      notes,
    };
  },
};
