import { execFile } from 'node:child_process';
import crypto, { X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { afterEach, describe, expect, it } from 'vitest';
import { caPaths } from '../src/ca-files.js';
import { ensureCa, regenerateCa } from '../src/ca-store.js';
import { tempDataDir } from './helpers/https-proxy.js';

const run = promisify(execFile);
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));

let temp: ReturnType<typeof tempDataDir> | undefined;
afterEach(() => {
  temp?.remove();
  temp = undefined;
});

describe('the CA', () => {
  it('is created on first use as the contract says: files, modes, extensions', async () => {
    temp = tempDataDir();
    const { ca, created } = await ensureCa(temp.dir);
    expect(created).toBe(true);
    const paths = caPaths(temp.dir);
    expect(ca.paths.cert).toBe(`${temp.dir}/proxy/capture-proxy-ca.crt`);
    expect(statSync(paths.dir).mode & 0o777).toBe(0o700);
    expect(statSync(paths.key).mode & 0o777).toBe(0o600);
    expect(readFileSync(paths.cert, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);

    const x509 = new X509Certificate(readFileSync(paths.cert));
    expect(x509.ca).toBe(true);
    expect(x509.publicKey.asymmetricKeyDetails?.modulusLength).toBeGreaterThanOrEqual(2048);
    expect(x509.checkPrivateKey(crypto.createPrivateKey(readFileSync(paths.key)))).toBe(true);
    expect(x509.subject).toMatch(/CN=capture proxy CA [0-9a-f]{8}/);
    const cert = forge.pki.certificateFromPem(readFileSync(paths.cert, 'utf8'));
    expect(cert.getExtension('basicConstraints')).toMatchObject({ cA: true, critical: true });
    expect(cert.getExtension('keyUsage')).toMatchObject({ keyCertSign: true, cRLSign: true, critical: true });
    expect(cert.getExtension('subjectKeyIdentifier')).toBeTruthy();
    expect(cert.validity.notBefore.getTime()).toBeLessThan(Date.now() - 24 * 3600 * 1000);

    // A second load returns the same CA; another install gets another subject.
    const again = await ensureCa(temp.dir);
    expect(again.created).toBe(false);
    expect(again.ca.fingerprint).toBe(ca.fingerprint);
    const other = tempDataDir();
    try {
      expect((await ensureCa(other.dir)).ca.subject).not.toBe(ca.subject);
    } finally {
      other.remove();
    }
  });

  it('regenerate replaces it with a new fingerprint, keeping the file modes', async () => {
    temp = tempDataDir();
    const { ca } = await ensureCa(temp.dir);
    const renewed = await regenerateCa(temp.dir);
    expect(renewed.fingerprint).not.toBe(ca.fingerprint);
    expect((await ensureCa(temp.dir)).ca.fingerprint).toBe(renewed.fingerprint);
    expect(statSync(renewed.paths.key).mode & 0o777).toBe(0o600);
    expect(existsSync(renewed.paths.lock)).toBe(false);
  });

  it('three processes starting at once on a fresh folder end with one CA', async () => {
    temp = tempDataDir();
    const script = `import(${JSON.stringify(DIST)}).then((m) => m.default().api.ensureCa(${JSON.stringify(temp.dir)})).then((ca) => console.log(ca.fingerprint))`;
    const results = await Promise.all([1, 2, 3].map(() => run(process.execPath, ['--input-type=module', '-e', script])));
    const fingerprints = results.map((result) => result.stdout.trim());
    expect(fingerprints[0]).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    expect(new Set(fingerprints).size).toBe(1);
    expect(new X509Certificate(readFileSync(caPaths(temp.dir).cert)).fingerprint256).toBe(fingerprints[0]);
  });

  describe('a broken CA is an error telling to regenerate, never a silent new CA', () => {
    const broken = async (breakIt: (paths: ReturnType<typeof caPaths>) => void, expected: RegExp) => {
      temp = tempDataDir();
      const { ca } = await ensureCa(temp.dir);
      breakIt(ca.paths);
      const snapshot = () => (statSync(ca.paths.cert, { throwIfNoEntry: false })?.isFile() ? readFileSync(ca.paths.cert, 'utf8') : undefined);
      const before = snapshot();
      await expect(ensureCa(temp.dir)).rejects.toThrow(expected);
      await expect(ensureCa(temp.dir)).rejects.toThrow(/run "capture ca regenerate"/);
      expect(snapshot()).toBe(before);
    };

    it('garbage certificate', () => broken((paths) => writeFileSync(paths.cert, 'not a certificate'), /capture-proxy-ca\.crt is not a valid PEM certificate/));
    it('empty key', () => broken((paths) => writeFileSync(paths.key, ''), /capture-proxy-ca\.key is not a valid PEM private key/));
    it('certificate without its key file', async () => {
      await broken((paths) => rmSync(paths.key), /the CA private key .*capture-proxy-ca\.key is missing/);
    });
    it('key from another CA', async () => {
      const other = tempDataDir();
      try {
        const { ca: foreign } = await ensureCa(other.dir);
        await broken((paths) => writeFileSync(paths.key, readFileSync(foreign.paths.key)), /does not belong to the certificate/);
      } finally {
        other.remove();
      }
    });
    it('expired', async () => {
      temp = tempDataDir();
      const { ca } = await ensureCa(temp.dir);
      const inElevenYears = new Date(Date.now() + 11 * 365 * 24 * 3600 * 1000);
      await expect(ensureCa(temp.dir, inElevenYears)).rejects.toThrow(/expired on .*run "capture ca regenerate"/);
      expect((await ensureCa(temp.dir)).ca.fingerprint).toBe(ca.fingerprint);
    });
    it('unreadable', async () => {
      if (process.getuid?.() === 0) {
        // root reads anything: make the path a folder instead, which no one can read as a file.
        await broken((paths) => {
          rmSync(paths.cert);
          mkdirSync(paths.cert);
        }, /cannot read the CA certificate .*\(EISDIR\)/);
      } else {
        await broken((paths) => chmodSync(paths.cert, 0), /cannot read the CA certificate .*\(EACCES\)/);
      }
    });
  });
});
