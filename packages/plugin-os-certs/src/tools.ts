import type { TargetEnv } from './targets/target.js';

/** The programs the targets run. */
export type Tool = 'certutil' | 'update-ca-certificates' | 'update-ca-trust' | 'security' | 'certutil.exe';

/** How to get a missing program on this machine, as one command or phrase. */
export function installHint(tool: Tool, env: Pick<TargetEnv, 'platform' | 'family'>): string {
  switch (tool) {
    case 'certutil':
      if (env.platform === 'darwin') return 'brew install nss';
      if (env.family === 'debian') return 'sudo apt-get install libnss3-tools';
      if (env.family === 'rhel') return 'sudo dnf install nss-tools';
      return 'the NSS tools package (libnss3-tools on Debian and Ubuntu, nss-tools on Fedora and RHEL)';
    case 'update-ca-certificates':
      return 'sudo apt-get install ca-certificates';
    case 'update-ca-trust':
      return 'sudo dnf install ca-certificates';
    case 'security':
      return 'it is part of macOS (/usr/bin/security)';
    case 'certutil.exe':
      return 'it is part of Windows (%SystemRoot%\\System32\\certutil.exe)';
  }
}
