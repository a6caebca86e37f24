import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CaCertificate } from '../src/ca.js';
import { stepToShell, type Plan } from '../src/plan.js';
import { TARGETS, type Store, type StoreEntry } from '../src/targets/index.js';
import { NETWORK_SECURITY_CONFIG } from '../src/targets/phones.js';
import { realCa, tempDir, testEnv } from './helpers/env.js';

// Plans are pure: from the CA, the environment and the inspected stores. Every target's plan is
// checked here command by command, as `--dry-run` prints it.

let folder: ReturnType<typeof tempDir>;
let ca: CaCertificate;
let old: CaCertificate;
const CERT = '/home/ada/.config/capture/proxy/capture-proxy-ca.crt';

beforeAll(async () => {
  folder = tempDir();
  const current = await realCa(`${folder.dir}/current`);
  old = await realCa(`${folder.dir}/old`);
  // The plans print the CA's path: give it the one a user has.
  ca = { ...current, path: CERT };
});
afterAll(() => folder.cleanup());

const commands = (plan: Plan) => plan.steps.map(stepToShell);
const entry = (of: CaCertificate, nickname?: string): StoreEntry => ({ sha1: of.sha1, sha256: of.sha256, commonName: of.commonName, isCaptureCa: true, ...(nickname ? { nickname } : {}) });
const store = (location: string, entries: StoreEntry[] = [], extra: Partial<Store> = {}): Store => ({ location, exists: true, entries, files: [], ...extra });

describe('debian', () => {
  it('install copies into /usr/local/share/ca-certificates and runs update-ca-certificates, as root', () => {
    const plan = TARGETS.debian.plan('install', testEnv(ca), [store('/etc/ssl/certs/ca-certificates.crt')]);
    expect(plan.needsRoot).toBe(true);
    expect(commands(plan)).toEqual([
      'mkdir -p /usr/local/share/ca-certificates',
      `cp ${CERT} /usr/local/share/ca-certificates/capture-proxy-ca.crt`,
      'update-ca-certificates',
    ]);
  });

  it('uninstall removes the file and rebuilds with --fresh; nothing to do when capture placed nothing', () => {
    const installed = store('/etc/ssl/certs/ca-certificates.crt', [entry(ca)], { files: ['/usr/local/share/ca-certificates/capture-proxy-ca.crt'] });
    const plan = TARGETS.debian.plan('uninstall', testEnv(ca), [installed]);
    expect(plan.needsRoot).toBe(true);
    expect(commands(plan)).toEqual(['rm -f /usr/local/share/ca-certificates/capture-proxy-ca.crt', 'update-ca-certificates --fresh']);
    expect(TARGETS.debian.plan('uninstall', testEnv(ca), [store('/etc/ssl/certs/ca-certificates.crt')]).steps).toEqual([]);
  });

  it('under another root, points every path and update-ca-certificates inside it and needs no root', () => {
    const plan = TARGETS.debian.plan('install', testEnv(ca, { root: '/img' }), [store('/img/etc/ssl/certs/ca-certificates.crt')]);
    expect(plan.needsRoot).toBe(false);
    expect(commands(plan)).toEqual([
      'mkdir -p /img/usr/local/share/ca-certificates',
      `cp ${CERT} /img/usr/local/share/ca-certificates/capture-proxy-ca.crt`,
      'update-ca-certificates --certsconf /img/etc/ca-certificates.conf --certsdir /img/usr/share/ca-certificates --localcertsdir /img/usr/local/share/ca-certificates --etccertsdir /img/etc/ssl/certs --hooksdir /img/etc/ca-certificates/update.d',
    ]);
  });
});

describe('rhel', () => {
  it('install copies into the anchors and runs update-ca-trust extract, as root', () => {
    const plan = TARGETS.rhel.plan('install', testEnv(ca, { family: 'rhel' }), [store('/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem')]);
    expect(plan.needsRoot).toBe(true);
    expect(commands(plan)).toEqual([
      'mkdir -p /etc/pki/ca-trust/source/anchors',
      `cp ${CERT} /etc/pki/ca-trust/source/anchors/capture-proxy-ca.crt`,
      'update-ca-trust extract',
    ]);
    expect(plan.steps[2]).toMatchObject({ install: 'install it with: sudo dnf install ca-certificates' });
  });

  it('uninstall removes the anchor and extracts again', () => {
    const plan = TARGETS.rhel.plan('uninstall', testEnv(ca), [store('/b', [], { files: ['/etc/pki/ca-trust/source/anchors/capture-proxy-ca.crt'] })]);
    expect(plan.needsRoot).toBe(true);
    expect(commands(plan)).toEqual(['rm -f /etc/pki/ca-trust/source/anchors/capture-proxy-ca.crt', 'update-ca-trust extract']);
  });
});

describe('macos', () => {
  const keychain = '/Library/Keychains/System.keychain';

  it('install adds a trusted root to the System keychain, as root, and replaces an older capture CA by SHA-1', () => {
    const fresh = TARGETS.macos.plan('install', testEnv(ca, { platform: 'darwin' }), [store(keychain)]);
    expect(fresh.needsRoot).toBe(true);
    expect(commands(fresh)).toEqual([`security add-trusted-cert -d -r trustRoot -k ${keychain} ${CERT}`]);
    const stale = TARGETS.macos.plan('install', testEnv(ca, { platform: 'darwin' }), [store(keychain, [entry(old)])]);
    expect(commands(stale)).toEqual([`security delete-certificate -Z ${old.sha1} ${keychain}`, `security add-trusted-cert -d -r trustRoot -k ${keychain} ${CERT}`]);
  });

  it('install is a no-op when the CA is there; uninstall deletes every capture CA found, by SHA-1', () => {
    expect(TARGETS.macos.plan('install', testEnv(ca), [store(keychain, [entry(ca)])]).steps).toEqual([]);
    const plan = TARGETS.macos.plan('uninstall', testEnv(ca), [store(keychain, [entry(ca), entry(old)])]);
    expect(plan.needsRoot).toBe(true);
    expect(commands(plan)).toEqual([`security delete-certificate -Z ${ca.sha1} ${keychain}`, `security delete-certificate -Z ${old.sha1} ${keychain}`]);
    expect(ca.sha1).toMatch(/^[0-9A-F]{40}$/);
  });
});

describe('windows', () => {
  it('install uses the machine Root store when elevated, else the user store, with certutil and no sudo', () => {
    const machine = TARGETS.windows.plan('install', testEnv(ca, { platform: 'win32', elevated: true }), [store('Root (Local Machine)')]);
    expect(machine.needsRoot).toBe(false);
    expect(commands(machine)).toEqual([`certutil -f -addstore Root ${CERT}`]);
    const user = TARGETS.windows.plan('install', testEnv(ca, { platform: 'win32' }), [store('Root (Current User)', [entry(old)])]);
    expect(user.needsRoot).toBe(false);
    expect(commands(user)).toEqual([`certutil -user -delstore Root ${old.sha1}`, `certutil -user -f -addstore Root ${CERT}`]);
    expect(user.notes.join('\n')).toContain('answer Yes');
  });

  it('uninstall deletes by SHA-1 thumbprint from the same store', () => {
    const plan = TARGETS.windows.plan('uninstall', testEnv(ca, { platform: 'win32', elevated: true }), [store('Root (Local Machine)', [entry(ca)])]);
    expect(commands(plan)).toEqual([`certutil -delstore Root ${ca.sha1}`]);
  });
});

describe('nss', () => {
  it('install creates ~/.pki/nssdb when missing and adds the CA with C,, trust under its name', () => {
    const plan = TARGETS.nss.plan('install', testEnv(ca), [store('/home/ada/.pki/nssdb', [], { exists: false })]);
    expect(plan.needsRoot).toBe(false);
    expect(commands(plan)).toEqual([
      'mkdir -p /home/ada/.pki/nssdb',
      'certutil -N -d sql:/home/ada/.pki/nssdb --empty-password',
      `certutil -A -d sql:/home/ada/.pki/nssdb -n '${ca.commonName}' -t C,, -i ${CERT}`,
    ]);
    expect(plan.steps[2]).toMatchObject({ install: 'install it with: sudo apt-get install libnss3-tools', undo: { command: 'certutil', args: ['-D', '-d', 'sql:/home/ada/.pki/nssdb', '-n', ca.commonName] } });
  });

  it('install in an existing database replaces an older capture CA; uninstall deletes by the nicknames found', () => {
    const db = store('/tmp/db', [entry(old, 'old nick')]);
    expect(commands(TARGETS.nss.plan('install', testEnv(ca), [db]))).toEqual([
      "certutil -D -d sql:/tmp/db -n 'old nick'",
      `certutil -A -d sql:/tmp/db -n '${ca.commonName}' -t C,, -i ${CERT}`,
    ]);
    expect(commands(TARGETS.nss.plan('uninstall', testEnv(ca), [store('/tmp/db', [entry(ca, 'mine'), entry(old, 'old nick')])]))).toEqual([
      'certutil -D -d sql:/tmp/db -n mine',
      "certutil -D -d sql:/tmp/db -n 'old nick'",
    ]);
    expect(TARGETS.nss.plan('install', testEnv(ca), [store('/tmp/db', [entry(ca, 'mine')])]).steps).toEqual([]);
  });

  it('names the package that has certutil for the family', () => {
    const step = (family: 'debian' | 'rhel' | undefined, platform: NodeJS.Platform = 'linux') =>
      TARGETS.nss.plan('install', testEnv(ca, { family, platform }), [store('/db')]).steps[0];
    expect(step('rhel')).toMatchObject({ install: 'install it with: sudo dnf install nss-tools' });
    expect(step(undefined, 'darwin')).toMatchObject({ install: 'install it with: brew install nss' });
  });
});

describe('firefox', () => {
  it('install goes into every profile, never creating a database, and says to restart a running Firefox', () => {
    const plan = TARGETS.firefox.plan('install', testEnv(ca), [
      store('/home/ada/.mozilla/firefox/a1.default-release', [], { inUse: 'Firefox is running with this profile' }),
      store('/home/ada/.mozilla/firefox/b2.work', [entry(old, 'capture old')]),
    ]);
    expect(plan.needsRoot).toBe(false);
    expect(commands(plan)).toEqual([
      `certutil -A -d sql:/home/ada/.mozilla/firefox/a1.default-release -n '${ca.commonName}' -t C,, -i ${CERT}`,
      "certutil -D -d sql:/home/ada/.mozilla/firefox/b2.work -n 'capture old'",
      `certutil -A -d sql:/home/ada/.mozilla/firefox/b2.work -n '${ca.commonName}' -t C,, -i ${CERT}`,
    ]);
    expect(plan.notes).toEqual(['Firefox is running (a1.default-release): restart it so it reads the change']);
  });

  it('uninstall deletes from each profile; no profile at all is an error naming where it looked', () => {
    const plan = TARGETS.firefox.plan('uninstall', testEnv(ca), [store('/p/x.default', [entry(ca, 'n')])]);
    expect(commands(plan)).toEqual(['certutil -D -d sql:/p/x.default -n n']);
    expect(() => TARGETS.firefox.plan('install', testEnv(ca), [])).toThrow(/no Firefox profile \(a folder with cert9.db\) under \/home\/ada\/.mozilla\/firefox, /);
  });
});

describe('phones', () => {
  it('ios prints numbered steps, the download URL, its QR code and the fingerprint, and runs nothing', () => {
    const plan = TARGETS.ios.plan('install', testEnv(ca), []);
    expect(plan.steps).toEqual([]);
    expect(plan.needsRoot).toBe(false);
    const text = plan.guidance!;
    expect(text).toMatch(/^ 1\. Start capture .* 192\.168\.1\.20:5555\.$/m);
    expect(text).toMatch(/^ 5\. Open Settings > General > About > Certificate Trust Settings/m);
    expect(text).toContain('Download page: http://192.168.1.20:5555/ca');
    expect(text).toContain('▄'); // the QR code's half blocks
    expect(text).toContain(ca.sha256);
    expect(TARGETS.ios.plan('uninstall', testEnv(ca), []).guidance).toContain('Remove Profile');
  });

  it('android guides, and with --out writes network_security_config.xml (the only step)', () => {
    const plain = TARGETS.android.plan('install', testEnv(ca), []);
    expect(plain.steps).toEqual([]);
    expect(plain.guidance).toContain('Install a certificate > CA certificate');
    const withOut = TARGETS.android.plan('install', testEnv(ca, { out: '/proj/app/src/main/res/xml' }), []);
    expect(withOut.steps).toEqual([
      { type: 'mkdir', path: '/proj/app/src/main/res/xml' },
      { type: 'write', path: '/proj/app/src/main/res/xml/network_security_config.xml', contents: NETWORK_SECURITY_CONFIG },
    ]);
    expect(NETWORK_SECURITY_CONFIG).toContain('<certificates src="user" />');
    expect(TARGETS.android.plan('uninstall', testEnv(ca), []).guidance).toContain('User credentials');
  });
});

describe('android-emulator and ios-simulator', () => {
  it('android-emulator: adb root, push as <subject_hash_old>.0, then the tmpfs overlay with the APEX bind mounts', async () => {
    const { execFileSync } = await import('node:child_process');
    const { androidCaFileName, androidEmulatorScript } = await import('../src/targets/emulators.js');
    // The name Android looks the CA up by is exactly what openssl computes.
    const hash = execFileSync('openssl', ['x509', '-noout', '-subject_hash_old'], { input: ca.pem }).toString().trim();
    const fileName = androidCaFileName(ca.pem);
    expect(fileName).toBe(`${hash}.0`);
    const plan = TARGETS['android-emulator'].plan('install', testEnv(ca, { proxyAddress: '192.168.1.20:5555' }), []);
    expect(plan.needsRoot).toBe(false);
    expect(plan.guidance).toBeUndefined();
    expect(commands(plan)).toEqual(['adb root', 'adb wait-for-device', `adb push ${CERT} /data/local/tmp/${fileName}`, `adb shell ${shellQuoteForTest(androidEmulatorScript(fileName))}`]);
    const script = androidEmulatorScript(fileName);
    expect(script).toContain('mount -t tmpfs tmpfs /system/etc/security/cacerts');
    expect(script).toContain('nsenter --mount=/proc/$pid/ns/mnt -- /bin/mount --bind /system/etc/security/cacerts /apex/com.android.conscrypt/cacerts');
    expect(script).toContain(`mv /data/local/tmp/${fileName} /system/etc/security/cacerts/${fileName}`);
    expect(plan.notes.join('\n')).toContain('adb shell settings put global http_proxy 10.0.2.2:5555');
    expect(commands(TARGETS['android-emulator'].plan('uninstall', testEnv(ca), []))).toEqual(['adb reboot']);
  });

  it('ios-simulator: xcrun simctl keychain booted add-root-cert with the CA file', () => {
    const plan = TARGETS['ios-simulator'].plan('install', testEnv(ca), []);
    expect(plan.needsRoot).toBe(false);
    expect(commands(plan)).toEqual([`xcrun simctl keychain booted add-root-cert ${CERT}`]);
    expect(commands(TARGETS['ios-simulator'].plan('uninstall', testEnv(ca), []))).toEqual(['xcrun simctl keychain booted reset']);
  });
});

describe('profile trust (the API capture browser uses for a fresh Firefox profile)', () => {
  it('creates the NSS database in the given folder and adds the CA as C,, — nothing else', async () => {
    const { osCertsApi } = await import('../src/api.js');
    const plan = osCertsApi('linux').profileTrustPlan('/tmp/capture-browser-x', { certPath: CERT, certPem: ca.pem });
    expect(plan.needsRoot).toBe(false);
    expect(commands(plan)).toEqual([
      'mkdir -p /tmp/capture-browser-x',
      'certutil -N -d sql:/tmp/capture-browser-x --empty-password',
      `certutil -A -d sql:/tmp/capture-browser-x -n ${shellQuoteForTest(ca.commonName)} -t C,, -i ${CERT}`,
    ]);
  });
});

function shellQuoteForTest(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}
