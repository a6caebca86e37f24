import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { systemTarget } from './detect.js';
import { linuxFamily, parseOsRelease } from './os-release.js';

const fixture = (name: string) => parseOsRelease(readFileSync(new URL(`../test/fixtures/os-release/${name}`, import.meta.url), 'utf8'));

describe('os-release detection', () => {
  it.each([
    ['ubuntu-22.04', 'ubuntu', ['debian'], 'debian'],
    ['debian-12', 'debian', [], 'debian'],
    ['linuxmint-21.3', 'linuxmint', ['ubuntu', 'debian'], 'debian'],
    ['fedora-40', 'fedora', [], 'rhel'],
    ['rocky-9', 'rocky', ['rhel', 'centos', 'fedora'], 'rhel'],
    ['almalinux-9', 'almalinux', ['rhel', 'centos', 'fedora'], 'rhel'],
    ['centos-7', 'centos', ['rhel', 'fedora'], 'rhel'],
    ['rhel-9', 'rhel', ['fedora'], 'rhel'],
  ])('%s: ID=%s ID_LIKE=%j is the %s family', (name, id, idLike, family) => {
    const release = fixture(name);
    expect(release.id).toBe(id);
    expect(release.idLike).toEqual(idLike);
    expect(linuxFamily(release)).toBe(family);
    expect(systemTarget('linux', release)).toBe(family);
  });

  it('knows no system store for a Linux of another family, or without os-release', () => {
    const arch = fixture('arch');
    expect(arch.name).toBe('Arch Linux');
    expect(linuxFamily(arch)).toBeUndefined();
    expect(systemTarget('linux', arch)).toBeUndefined();
    expect(systemTarget('linux', undefined)).toBeUndefined();
  });

  it('picks the platform elsewhere, whatever os-release says', () => {
    expect(systemTarget('win32', undefined)).toBe('windows');
    expect(systemTarget('darwin', fixture('debian-12'))).toBe('macos');
    expect(systemTarget('freebsd', undefined)).toBeUndefined();
  });

  it('reads quoted values with escapes and ignores comments and blank lines', () => {
    const release = parseOsRelease('# comment\n\nID="my\\"distro"\nID_LIKE=\'Ubuntu  Debian\'\nPRETTY_NAME="My \\$distro"\n');
    expect(release).toEqual({ id: 'my"distro', idLike: ['ubuntu', 'debian'], name: 'My $distro' });
    expect(linuxFamily(release)).toBe('debian');
  });
});
