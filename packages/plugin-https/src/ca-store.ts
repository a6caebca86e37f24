import crypto, { X509Certificate, type KeyObject } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { CaptureError, ensureDataDir } from '@capture/core';
import { caPaths, type CaPaths } from './ca-files.js';
import type { GeneratedCa } from './ca-generate.js';
import { withCaLock, isLocked } from './ca-lock.js';

/**
 * Generates a CA: node-forge (about 12 MiB and 40 ms to import) is loaded only when a CA is
 * created, not on the starts that find one.
 */
const generateCa = async (now: Date): Promise<GeneratedCa> => (await import('./ca-generate.js')).generateCa(now);

/** The CA as loaded from its files and checked: what signs the per-host certificates. */
export interface CertificateAuthority {
  /** Where its files are. */
  readonly paths: CaPaths;
  /** The certificate, PEM. */
  readonly certPem: string;
  /** The certificate, DER. */
  readonly certDer: Buffer;
  /** The private key, as a native key object (it signs every leaf). */
  readonly key: KeyObject;
  /** SHA-256 fingerprint, colon-separated upper-case hex, as devices show it. */
  readonly fingerprint: string;
  /** The subject, e.g. `CN=capture proxy CA 1a2b3c4d, O=capture, OU=…`. */
  readonly subject: string;
  /** The subject's common name alone (the subject when it has none). */
  readonly commonName: string;
  /** Start of validity. */
  readonly validFrom: Date;
  /** End of validity. */
  readonly validTo: Date;
}

const REGENERATE_HINT = 'run "capture ca regenerate" to create a new CA (devices that trusted the old one must then reinstall it)';

const invalid = (message: string, cause?: unknown) =>
  new CaptureError('CA_INVALID', `${message}; ${REGENERATE_HINT}`, cause === undefined ? undefined : { cause });

/**
 * Loads the CA of a data folder, creating it when neither of its files exists (as the guide's
 * troubleshooting expects: delete the `proxy` folder and capture makes a new one). A CA that
 * is unreadable, half there, mismatched with its key or expired is an error telling the user
 * to regenerate it, never silently replaced. Processes starting at once on a fresh folder end
 * up with one CA: creation happens under a lock file and is re-checked once the lock is held.
 */
export async function ensureCa(dataDir: string, now = new Date()): Promise<{ ca: CertificateAuthority; created: boolean }> {
  const paths = caPaths(dataDir);
  if ((await presentFiles(paths)) === 2 && !(await isLocked(paths))) return { ca: await loadCa(paths, now), created: false };
  await makeCaFolder(paths);
  return withCaLock(paths, async () => {
    if ((await presentFiles(paths)) > 0) return { ca: await loadCa(paths, now), created: false };
    await writeCa(paths, await generateCa(now));
    return { ca: await loadCa(paths, now), created: true };
  });
}

/** Replaces the CA of a data folder with a new one (under the lock), whatever state the old one was in. */
export async function regenerateCa(dataDir: string, now = new Date()): Promise<CertificateAuthority> {
  const paths = caPaths(dataDir);
  await makeCaFolder(paths);
  return withCaLock(paths, async () => {
    await writeCa(paths, await generateCa(now));
    return loadCa(paths, now);
  });
}

/**
 * Reads and checks the CA files with Node's own crypto (no node-forge: the leaf module parses the
 * certificate for forge when the first host needs a certificate); throws a `CaptureError`
 * (`CA_INVALID`) naming the file and what is wrong.
 */
export async function loadCa(paths: CaPaths, now = new Date()): Promise<CertificateAuthority> {
  const certPem = await readCaFile(paths.cert, paths.key, 'certificate');
  const keyPem = await readCaFile(paths.key, paths.cert, 'private key');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(certPem);
  } catch (error) {
    throw invalid(`${paths.cert} is not a valid PEM certificate (${(error as Error).message})`, error);
  }
  let key: KeyObject;
  try {
    key = crypto.createPrivateKey(keyPem);
  } catch (error) {
    throw invalid(`${paths.key} is not a valid PEM private key (${(error as Error).message})`, error);
  }
  if (key.asymmetricKeyType !== 'rsa' || !x509.checkPrivateKey(key)) {
    throw invalid(`the CA key ${paths.key} does not belong to the certificate ${paths.cert}`);
  }
  if (!x509.ca) throw invalid(`${paths.cert} is not a CA certificate (basicConstraints CA:true is missing)`);
  const validTo = new Date(x509.validTo);
  if (validTo.getTime() <= now.getTime()) throw invalid(`the CA certificate ${paths.cert} expired on ${validTo.toISOString()}`);
  const subjectLines = x509.subject.split('\n');
  const subject = subjectLines.join(', ');
  return {
    paths,
    certPem,
    certDer: Buffer.from(x509.raw),
    key,
    fingerprint: x509.fingerprint256,
    subject,
    commonName: subjectLines.find((line) => line.startsWith('CN='))?.slice('CN='.length) ?? subject,
    validFrom: new Date(x509.validFrom),
    validTo,
  };
}

async function readCaFile(file: string, partner: string, what: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    if (code === 'ENOENT') throw invalid(`the CA ${what} ${file} is missing but ${partner} exists`, error);
    throw invalid(`cannot read the CA ${what} ${file} (${code})`, error);
  }
}

/** How many of the two CA files exist (0, 1 or 2). */
async function presentFiles(paths: CaPaths): Promise<number> {
  const exists = (file: string) => fs.access(file).then(() => 1, () => 0);
  return (await exists(paths.cert)) + (await exists(paths.key));
}

/**
 * Creates the data folder (core's ensureDataDir: private, and a loose one is warned about where
 * the CLI or the proxy first calls it) and the `proxy/` folder inside it the same way.
 */
async function makeCaFolder(paths: CaPaths): Promise<void> {
  await ensureDataDir(path.dirname(paths.dir));
  const { created } = await ensureDataDir(paths.dir);
  if (created) return;
  // An existing folder's mode is left alone by ensureDataDir; the key must not sit in a folder
  // others can read, so their bits are taken away.
  const mode = (await fs.stat(paths.dir)).mode & 0o777;
  if (mode & 0o077) await fs.chmod(paths.dir, mode & ~0o077);
}

/** Writes the key then the certificate, each through a temporary file and a rename, so no reader sees half a file. */
async function writeCa(paths: CaPaths, generated: GeneratedCa): Promise<void> {
  await writeAtomically(paths.key, generated.keyPem, 0o600);
  await writeAtomically(paths.cert, generated.certPem, 0o644);
}

async function writeAtomically(file: string, content: string, mode: number): Promise<void> {
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    await fs.writeFile(temporary, content, { mode, flag: 'wx' });
    await fs.chmod(temporary, mode);
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw new CaptureError('CA_WRITE_FAILED', `cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
}
