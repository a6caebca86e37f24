import crypto, { X509Certificate } from 'node:crypto';
import type { Plan, RunStep } from '../plan.js';
import { installHint } from '../tools.js';
import type { Target, TargetEnv } from './target.js';

/** Where Android keeps the system CA store, and where Android 14 and later read it from instead (the Conscrypt APEX). */
export const ANDROID_SYSTEM_STORE = '/system/etc/security/cacerts';
export const ANDROID_APEX_STORE = '/apex/com.android.conscrypt/cacerts';
/** Where the certificate is pushed before the script moves it into the store. */
const DEVICE_TMP = '/data/local/tmp';

/**
 * The name Android gives a CA in its system store: OpenSSL's old subject hash (MD5 of the DER
 * subject, its first four bytes read little-endian) in hex, then `.0`, as
 * `openssl x509 -subject_hash_old` prints it.
 */
export function androidCaFileName(pem: string): string {
  const subject = subjectDer(Buffer.from(new X509Certificate(pem).raw));
  const digest = crypto.createHash('md5').update(subject).digest();
  return `${digest.readUInt32LE(0).toString(16).padStart(8, '0')}.0`;
}

/** The DER of a certificate's subject: the sixth element of tbsCertificate, counting the optional `[0]` version. */
function subjectDer(der: Buffer): Buffer {
  const read = (at: number) => {
    const first = der[at + 1]!;
    const lengthBytes = first & 0x80 ? first & 0x7f : 0;
    const length = lengthBytes ? der.subarray(at + 2, at + 2 + lengthBytes).reduce((total, byte) => total * 256 + byte, 0) : first;
    const body = at + 2 + lengthBytes;
    return { tag: der[at]!, body, end: body + length };
  };
  const tbs = read(read(0).body);
  let at = tbs.body;
  if (read(at).tag === 0xa0) at = read(at).end; // version
  for (let skip = 0; skip < 4; skip++) at = read(at).end; // serial, signature, issuer, validity
  const subject = read(at);
  return der.subarray(at, subject.end);
}

/**
 * The shell script the emulator runs as root. The system store is overlaid with a tmpfs holding
 * its own certificates plus capture's (so nothing on the image changes, and a reboot undoes it);
 * on Android 14 and later, where apps read the store from the Conscrypt APEX, that overlay is
 * bind-mounted over the APEX store inside the zygotes' mount namespaces (which new apps inherit)
 * and each running app's, the way HTTP Toolkit does it.
 */
export function androidEmulatorScript(fileName: string): string {
  return [
    'set -e',
    `src=${ANDROID_SYSTEM_STORE}; [ -d ${ANDROID_APEX_STORE} ] && src=${ANDROID_APEX_STORE}`,
    `keep=${DEVICE_TMP}/capture-cacerts; rm -rf "$keep"; mkdir -p -m 700 "$keep"; cp "$src"/* "$keep"/`,
    `mount -t tmpfs tmpfs ${ANDROID_SYSTEM_STORE}`,
    `mv "$keep"/* ${ANDROID_SYSTEM_STORE}/; rmdir "$keep"`,
    `mv ${DEVICE_TMP}/${fileName} ${ANDROID_SYSTEM_STORE}/${fileName}`,
    `chown root:root ${ANDROID_SYSTEM_STORE}/*; chmod 644 ${ANDROID_SYSTEM_STORE}/*; chcon u:object_r:system_file:s0 ${ANDROID_SYSTEM_STORE}/*`,
    `if [ -d ${ANDROID_APEX_STORE} ]; then`,
    '  zygotes="$(pidof zygote || true) $(pidof zygote64 || true)"',
    `  for pid in $zygotes; do nsenter --mount=/proc/$pid/ns/mnt -- /bin/mount --bind ${ANDROID_SYSTEM_STORE} ${ANDROID_APEX_STORE}; done`,
    `  for pid in $(for z in $zygotes; do ps -o PID= -P "$z"; done); do nsenter --mount=/proc/$pid/ns/mnt -- /bin/mount --bind ${ANDROID_SYSTEM_STORE} ${ANDROID_APEX_STORE} || true; done`,
    'fi',
  ].join('\n');
}

const adb = (env: Pick<TargetEnv, 'platform' | 'family'>, args: string[]): RunStep => ({ type: 'run', command: 'adb', args, install: installHint('adb', env) });
const simctl = (env: Pick<TargetEnv, 'platform' | 'family'>, args: string[]): RunStep => ({ type: 'run', command: 'xcrun', args: ['simctl', ...args], install: installHint('xcrun', env) });

/**
 * An Android emulator (a Google APIs image, not Google Play, so `adb root` works): the CA goes
 * into the system store, which every app trusts, through adb; the store is in memory, so a
 * reboot of the emulator removes it. Nothing on this computer changes.
 */
export const androidEmulator: Target = {
  name: 'android-emulator',
  title: 'the Android emulator',
  kind: 'device',
  async stores() {
    return [];
  },
  plan(action, env): Plan {
    if (action === 'uninstall') {
      return {
        target: 'android-emulator',
        summary: `remove ${env.ca.commonName} from the Android emulator (its store is in memory: a reboot restores the image's)`,
        needsRoot: false,
        steps: [adb(env, ['reboot'])],
        notes: [],
      };
    }
    const fileName = androidCaFileName(env.ca.pem);
    return {
      target: 'android-emulator',
      summary: `install ${env.ca.commonName} into the Android emulator's system store (as ${fileName}, until it reboots)`,
      needsRoot: false,
      steps: [adb(env, ['root']), adb(env, ['wait-for-device']), adb(env, ['push', env.ca.path, `${DEVICE_TMP}/${fileName}`]), adb(env, ['shell', androidEmulatorScript(fileName)])],
      notes: [
        `point the emulator at capture: adb shell settings put global http_proxy 10.0.2.2:${env.proxyAddress.split(':').pop()} (10.0.2.2 is this computer as the emulator sees it; "adb shell settings put global http_proxy :0" removes it)`,
        'a reboot of the emulator removes the CA again; run this after each boot',
      ],
    };
  },
};

/** The booted iOS simulator: `xcrun simctl keychain booted add-root-cert` trusts the CA there. */
export const iosSimulator: Target = {
  name: 'ios-simulator',
  title: 'the booted iOS simulator',
  kind: 'device',
  async stores() {
    return [];
  },
  plan(action, env): Plan {
    if (action === 'uninstall') {
      return {
        target: 'ios-simulator',
        summary: `remove ${env.ca.commonName} from the booted iOS simulator by resetting its keychain (simctl removes no single certificate)`,
        needsRoot: false,
        steps: [simctl(env, ['keychain', 'booted', 'reset'])],
        notes: [],
      };
    }
    return {
      target: 'ios-simulator',
      summary: `install ${env.ca.commonName} as a trusted root in the booted iOS simulator`,
      needsRoot: false,
      steps: [simctl(env, ['keychain', 'booted', 'add-root-cert', env.ca.path])],
      notes: ['the simulator uses the Mac’s proxy settings: set an HTTP and HTTPS proxy of 127.0.0.1 and capture’s port there, or start the app with HTTPS_PROXY'],
    };
  },
};
