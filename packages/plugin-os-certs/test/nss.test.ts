import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCa, statusRows } from './helpers/commands.js';
import { realCa, tempDir } from './helpers/env.js';

// The nss target for real: certutil (libnss3-tools) on a temporary NSS database.

let folder: ReturnType<typeof tempDir>;
beforeEach(() => {
  folder = tempDir();
});
afterEach(() => folder.cleanup());

const certutilList = (db: string) => execFileSync('certutil', ['-L', '-d', `sql:${db}`], { encoding: 'utf8' });

describe('capture ca install --target nss (real certutil)', () => {
  it('creates the database, installs, finds it by fingerprint, replaces it after a new CA, and uninstalls exactly it', async () => {
    const dataDir = path.join(folder.dir, 'data');
    const db = path.join(folder.dir, 'nssdb');
    const setup = { dataDir, host: { home: folder.dir } };
    const ca = await realCa(dataDir);

    expect(await statusRows({ target: 'nss', nssDb: db }, setup)).toEqual([{ target: 'nss', location: db, state: 'not installed', stale: [] }]);

    const installed = await runCa('install', { target: 'nss', nssDb: db }, setup);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toBe(`installed ${ca.commonName} into the NSS database ${db}\n`);
    expect(certutilList(db)).toMatch(new RegExp(`^${ca.commonName}\\s+C,,\\s*$`, 'm'));
    expect(await statusRows({ target: 'nss', nssDb: db }, setup)).toEqual([{ target: 'nss', location: db, state: 'installed', stale: [] }]);

    // Installing twice is harmless: nothing to do.
    const again = await runCa('install', { target: 'nss', nssDb: db }, setup);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`nothing to do: install ${ca.commonName}`);

    // A new CA (the guide's fix: delete the proxy folder, capture makes another): the old one is stale.
    rmSync(path.dirname(ca.path), { recursive: true });
    const next = await realCa(dataDir);
    expect(next.sha1).not.toBe(ca.sha1);
    const stale = await statusRows({ target: 'nss', nssDb: db }, setup);
    expect(stale).toEqual([{ target: 'nss', location: db, state: 'stale', stale: [{ commonName: ca.commonName, sha1: ca.sha1, sha256: ca.sha256 }] }]);
    const human = await runCa('status', { target: 'nss', nssDb: db }, setup);
    expect(human.stdout).toContain(`nss  stale  ${db}  (older capture CA still trusted: ${ca.commonName}; "capture ca install --target nss" replaces it)`);

    const replaced = await runCa('install', { target: 'nss', nssDb: db }, setup);
    expect(replaced.stderr).toContain(`certutil -D -d sql:${db} -n '${ca.commonName}'`);
    expect(await statusRows({ target: 'nss', nssDb: db }, setup)).toEqual([{ target: 'nss', location: db, state: 'installed', stale: [] }]);
    expect(certutilList(db)).not.toContain(ca.commonName);

    // Something else the user trusts stays.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(folder.dir, 'k.pem'), '-out', path.join(folder.dir, 'other.pem'), '-subj', '/CN=Other CA/O=elsewhere', '-days', '2'], { stdio: 'ignore' });
    execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', 'Other CA', '-t', 'C,,', '-i', path.join(folder.dir, 'other.pem')]);
    const removed = await runCa('uninstall', { target: 'nss', nssDb: db }, setup);
    expect(removed.stdout).toBe(`removed ${next.commonName} from the NSS database ${db}\n`);
    expect(await statusRows({ target: 'nss', nssDb: db }, setup)).toEqual([{ target: 'nss', location: db, state: 'not installed', stale: [] }]);
    expect(certutilList(db)).toMatch(/^Other CA\s+C,,/m);
    expect(certutilList(db)).not.toContain('capture proxy CA');
  });

  it('finds the CA by fingerprint whatever its nickname, and not a look-alike under its name', async () => {
    const dataDir = path.join(folder.dir, 'data');
    const db = path.join(folder.dir, 'nssdb');
    const setup = { dataDir, host: { home: folder.dir } };
    const ca = await realCa(dataDir);
    mkdirSync(db);
    execFileSync('certutil', ['-N', '-d', `sql:${db}`, '--empty-password']);
    // A certificate with the CA's name but another key, under the CA's nickname: not installed.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(folder.dir, 'k.pem'), '-out', path.join(folder.dir, 'fake.pem'), '-subj', `/CN=${ca.commonName}/O=not capture`, '-days', '2'], { stdio: 'ignore' });
    execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', ca.commonName, '-t', 'C,,', '-i', path.join(folder.dir, 'fake.pem')]);
    expect((await statusRows({ target: 'nss', nssDb: db }, setup))[0]!.state).toBe('not installed');
    // The real CA under a name of the user's choosing: installed.
    execFileSync('certutil', ['-A', '-d', `sql:${db}`, '-n', 'my proxy', '-t', 'CT,,', '-i', ca.path]);
    expect((await statusRows({ target: 'nss', nssDb: db }, setup))[0]!.state).toBe('installed');
    // Uninstall removes it under that nickname, and leaves the look-alike.
    await runCa('uninstall', { target: 'nss', nssDb: db }, setup);
    expect(certutilList(db)).not.toMatch(/^my proxy/m);
    expect(certutilList(db)).toContain(ca.commonName);
  });

  it('uses ~/.pki/nssdb by default and the plugin option nssDb when given', async () => {
    const dataDir = path.join(folder.dir, 'data');
    await realCa(dataDir);
    const byDefault = await runCa('install', { target: 'nss', dryRun: true }, { dataDir, host: { home: folder.dir } });
    expect(byDefault.stdout.split('\n')[0]).toBe(`mkdir -p ${folder.dir}/.pki/nssdb`);
    const configured = await runCa('install', { target: 'nss', dryRun: true }, { dataDir, host: { home: folder.dir }, pluginOptions: { nssDb: path.join(folder.dir, 'chosen') } });
    expect(configured.stdout.split('\n')[0]).toBe(`mkdir -p ${folder.dir}/chosen`);
  });
});
