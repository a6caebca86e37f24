import crypto from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { TrustFiles } from './variables.js';

/** The folder of the data folder that holds the files programs are pointed at. */
export const ENV_FOLDER = 'env';

/**
 * Writes the files that make programs trust capture's CA, all inside `<dataDir>/env/` (never a
 * system store): a bundle of the system's roots (Node's, `tls.rootCertificates`) plus the CA, so
 * hosts that bypass interception (passthrough, `NO_PROXY`) still verify; the CA plus the user's
 * own `NODE_EXTRA_CA_CERTS`; and a wgetrc adding `ca_certificate` to the user's settings.
 * Files are rewritten on each call (the CA may have been regenerated), each through a rename so
 * a program starting meanwhile never reads half a file.
 */
export async function writeTrustFiles(dataDir: string, caPem: string, env: NodeJS.ProcessEnv): Promise<TrustFiles> {
  const folder = path.join(dataDir, ENV_FOLDER);
  await fs.mkdir(folder, { recursive: true });
  const ca = caPem.endsWith('\n') ? caPem : `${caPem}\n`;

  const bundle = path.join(folder, 'ca-bundle.pem');
  await writeAtomically(bundle, `${tls.rootCertificates.join('\n')}\n${ca}`);

  // What the user had is kept; a file of ours (from an earlier `eval "$(capture env)"`) is not nested.
  const userExtra = ours(folder, env.NODE_EXTRA_CA_CERTS) ? undefined : await readIfThere(env.NODE_EXTRA_CA_CERTS);
  const nodeExtraCaCerts = path.join(folder, userExtra ? `node-extra-ca-certs-${hash(userExtra)}.pem` : 'node-extra-ca-certs.pem');
  await writeAtomically(nodeExtraCaCerts, userExtra ? `${ca}${userExtra.endsWith('\n') ? userExtra : `${userExtra}\n`}` : ca);

  const userWgetrcFile = ours(folder, env.WGETRC) ? undefined : (env.WGETRC ?? path.join(env.HOME ?? os.homedir(), '.wgetrc'));
  const userWgetrc = (await readIfThere(userWgetrcFile)) ?? '';
  const wgetrc = path.join(folder, userWgetrc ? `wgetrc-${hash(userWgetrc)}` : 'wgetrc');
  const settings = userWgetrc ? `${userWgetrc.endsWith('\n') ? userWgetrc : `${userWgetrc}\n`}` : '';
  await writeAtomically(wgetrc, `${settings}# capture: trust its CA (and the system's roots)\nca_certificate = ${bundle}\n`);

  return { bundle, nodeExtraCaCerts, wgetrc };
}

function ours(folder: string, file: string | undefined): boolean {
  return file !== undefined && path.resolve(file).startsWith(`${folder}${path.sep}`);
}

function hash(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex').slice(0, 12);
}

async function readIfThere(file: string | undefined): Promise<string | undefined> {
  if (!file) return undefined;
  try {
    return await fs.readFile(file, 'utf8');
  } catch {
    // A variable naming a file that is gone is what the program would have met anyway.
    return undefined;
  }
}

async function writeAtomically(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temporary, content, { mode: 0o644 });
    await fs.rename(temporary, file);
  } finally {
    await fs.rm(temporary, { force: true });
  }
}
