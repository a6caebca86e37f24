import { afterEach, describe, expect, it } from 'vitest';
import { runCliProcess, tempProject } from './helpers/cli-process.js';

let project: ReturnType<typeof tempProject> | undefined;
afterEach(() => {
  project?.cleanup();
  project = undefined;
});

// Neither adb nor xcrun is on a CI machine: the plans are what --dry-run prints, and nothing runs.
describe('capture ca install --target android-emulator | ios-simulator --dry-run', () => {
  it('android-emulator prints the adb plan (root, push as <hash>.0, the tmpfs and APEX script) on stdout', async () => {
    project = tempProject();
    const result = await runCliProcess(['ca', 'install', '--target', 'android-emulator', '--dry-run'], { cwd: project.dir });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/would install capture proxy CA [0-9a-f]+ into the Android emulator's system store \(as [0-9a-f]{8}\.0, until it reboots\):/);
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual(['adb root', 'adb wait-for-device']);
    expect(lines[2]).toMatch(/^adb push \S+\/proxy\/capture-proxy-ca\.crt \/data\/local\/tmp\/[0-9a-f]{8}\.0$/);
    expect(result.stdout).toContain("adb shell 'set -e");
    expect(result.stdout).toContain('mount -t tmpfs tmpfs /system/etc/security/cacerts');
    expect(result.stdout).toContain('/bin/mount --bind /system/etc/security/cacerts /apex/com.android.conscrypt/cacerts');
  });

  it('ios-simulator prints xcrun simctl keychain booted add-root-cert with the CA file', async () => {
    project = tempProject();
    const result = await runCliProcess(['ca', 'install', '--target', 'ios-simulator', '--dry-run'], { cwd: project.dir });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^xcrun simctl keychain booted add-root-cert \S+\/proxy\/capture-proxy-ca\.crt\n$/);
    const uninstall = await runCliProcess(['ca', 'uninstall', '--target', 'ios-simulator', '--dry-run'], { cwd: project.dir });
    expect(uninstall.stdout).toBe('xcrun simctl keychain booted reset\n');
  });
});
