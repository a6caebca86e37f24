import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describePem, pemBlocks } from '../ca.js';
import type { Store, StoreEntry, TargetEnv } from './target.js';

/** The file name capture's CA gets in a system anchors folder, as in the data folder. */
export const ANCHOR_FILE = 'capture-proxy-ca.crt';

/** A path of the system, under the env's root (`/` outside tests and image builds). */
export function underRoot(env: TargetEnv, systemPath: string): string {
  return env.root === '/' ? systemPath : path.join(env.root, systemPath);
}

/**
 * Inspects a Linux system store: the bundle the update tool builds (what programs trust) is
 * searched by fingerprint, and the anchor file capture copies in is noted when present.
 */
export async function inspectBundle(env: TargetEnv, bundlePath: string, anchorPath: string): Promise<Store> {
  const bundle = underRoot(env, bundlePath);
  const anchor = underRoot(env, anchorPath);
  const files = (await exists(anchor)) ? [anchor] : [];
  let text: string;
  try {
    text = await fs.readFile(bundle, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { location: bundle, exists: false, entries: [], files, ...(code === 'ENOENT' ? {} : { problem: `cannot read ${bundle} (${code})` }) };
  }
  const entries: StoreEntry[] = [];
  for (const pem of pemBlocks(text)) {
    const found = describePem(pem);
    if (found && (found.isCaptureCa || found.sha1 === env.ca.sha1)) entries.push(found);
  }
  return { location: bundle, exists: true, entries, files };
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}
