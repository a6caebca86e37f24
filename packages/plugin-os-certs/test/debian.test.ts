import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseOsRelease } from '../src/os-release.js';
import { runCa, statusRows } from './helpers/commands.js';
import { realCa, tempDir } from './helpers/env.js';

// The debian target for real: update-ca-certificates against a temporary system root, which
// the runner reaches through the tool's own options (--certsconf, --certsdir, --localcertsdir,
// --etccertsdir, --hooksdir). Real users run with the root `/` and none of them.

let folder: ReturnType<typeof tempDir>;
beforeEach(() => {
  folder = tempDir();
});
afterEach(() => folder.cleanup());

const fixture = (name: string) => parseOsRelease(readFileSync(new URL(`./fixtures/os-release/${name}`, import.meta.url), 'utf8'));

/** A Debian system root with the ca-certificates layout and one distribution CA already trusted. */
function debianRoot(root: string): { bundle: string; otherPem: string } {
  for (const dir of ['etc/ssl/certs', 'usr/share/ca-certificates/test', 'etc/ca-certificates/update.d']) mkdirSync(path.join(root, dir), { recursive: true });
  const other = path.join(root, 'usr/share/ca-certificates/test/other-root.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(root, 'other.key'), '-out', other, '-subj', '/CN=Other Root/O=distribution', '-days', '2'], { stdio: 'ignore' });
  writeFileSync(path.join(root, 'etc/ca-certificates.conf'), 'test/other-root.crt\n');
  return { bundle: path.join(root, 'etc/ssl/certs/ca-certificates.crt'), otherPem: readFileSync(other, 'utf8').trim() };
}

describe('capture ca install --target debian (real update-ca-certificates, temporary root)', () => {
  it('the bundle gains the CA on install and loses it on uninstall; status follows by fingerprint', async () => {
    const root = path.join(folder.dir, 'root');
    const { bundle, otherPem } = debianRoot(root);
    const dataDir = path.join(folder.dir, 'data');
    const ca = await realCa(dataDir);
    const setup = { dataDir, host: { root, home: folder.dir, osRelease: async () => fixture('ubuntu-22.04'), isElevated: async () => false } };

    const installed = await runCa('install', {}, setup);
    expect(installed.code).toBe(0);
    expect(installed.stdout).toBe(`installed ${ca.commonName} into the Debian/Ubuntu system store\n`);
    expect(readFileSync(path.join(root, 'usr/local/share/ca-certificates/capture-proxy-ca.crt'), 'utf8')).toBe(ca.pem);
    const withCa = readFileSync(bundle, 'utf8');
    expect(withCa).toContain(ca.pem.trim());
    expect(withCa).toContain(otherPem);
    expect(await statusRows({}, setup)).toEqual([{ target: 'debian', location: bundle, state: 'installed', stale: [] }]);
    // The real system was not touched.
    if (existsSync('/etc/ssl/certs/ca-certificates.crt')) expect(readFileSync('/etc/ssl/certs/ca-certificates.crt', 'utf8')).not.toContain(ca.pem.trim());

    // Installing twice is harmless.
    expect((await runCa('install', { target: 'debian' }, setup)).code).toBe(0);
    expect(readFileSync(bundle, 'utf8').split(ca.pem.trim()).length).toBe(2);

    const removed = await runCa('uninstall', {}, setup);
    expect(removed.stdout).toBe(`removed ${ca.commonName} from the Debian/Ubuntu system store\n`);
    expect(existsSync(path.join(root, 'usr/local/share/ca-certificates/capture-proxy-ca.crt'))).toBe(false);
    const without = readFileSync(bundle, 'utf8');
    expect(without).not.toContain(ca.pem.trim());
    expect(without).toContain(otherPem);
    expect(await statusRows({}, setup)).toEqual([{ target: 'debian', location: bundle, state: 'not installed', stale: [] }]);

    // Uninstalling again finds nothing capture placed, and changes nothing.
    const again = await runCa('uninstall', {}, setup);
    expect(again.stderr).toContain('nothing to do');
  });

  it('picks the system target from os-release; a Linux it does not know is a usage error listing the targets', async () => {
    const dataDir = path.join(folder.dir, 'data');
    await realCa(dataDir);
    const host = (name: string) => ({ home: folder.dir, osRelease: async () => fixture(name), isElevated: async () => true });
    for (const name of ['fedora-40', 'rocky-9', 'almalinux-9', 'centos-7']) {
      expect((await runCa('install', { dryRun: true }, { dataDir, host: host(name) })).stdout).toContain('update-ca-trust extract\n');
    }
    for (const name of ['debian-12', 'linuxmint-21.3']) {
      expect((await runCa('install', { dryRun: true }, { dataDir, host: host(name) })).stdout).toContain('update-ca-certificates\n');
    }
    await expect(runCa('install', {}, { dataDir, host: host('arch') })).rejects.toMatchObject({
      code: 'USAGE',
      message: 'no system store is known for Arch Linux (ID=arch); choose one with --target (windows, macos, rhel, debian, nss, firefox, ios, android, android-emulator, ios-simulator)',
    });
    expect((await runCa('install', { dryRun: true }, { dataDir, host: { ...host('arch'), platform: 'darwin' } })).stdout).toContain('security add-trusted-cert');
  });
});
