import type { TargetEnv } from './targets/target.js';

/** The programs the targets run. */
export type Tool = 'certutil' | 'update-ca-certificates' | 'update-ca-trust' | 'security' | 'certutil.exe' | 'adb' | 'xcrun';

/** What to do about a missing program on this machine, as a phrase (`install it with: …`). */
export function installHint(tool: Tool, env: Pick<TargetEnv, 'platform' | 'family'>): string {
  switch (tool) {
    case 'certutil':
      if (env.platform === 'darwin') return 'install it with: brew install nss';
      if (env.family === 'debian') return 'install it with: sudo apt-get install libnss3-tools';
      if (env.family === 'rhel') return 'install it with: sudo dnf install nss-tools';
      return 'install the NSS tools (libnss3-tools on Debian and Ubuntu, nss-tools on Fedora and RHEL)';
    case 'update-ca-certificates':
      return 'install it with: sudo apt-get install ca-certificates';
    case 'update-ca-trust':
      return 'install it with: sudo dnf install ca-certificates';
    case 'security':
      return 'it is part of macOS (/usr/bin/security)';
    case 'adb':
      return env.family === 'debian' ? 'install it with: sudo apt-get install adb (or the Android SDK platform-tools)' : 'install the Android SDK platform-tools (Android Studio > SDK Manager)';
    case 'xcrun':
      return 'it comes with Xcode (xcode-select --install, then open Xcode once)';
    case 'certutil.exe':
      return 'it is part of Windows (%SystemRoot%\\System32\\certutil.exe)';
  }
}
