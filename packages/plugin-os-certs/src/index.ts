import type { CapturePlugin } from '@capture/core';
import { osCertsCommands } from './commands.js';
import { resolveOsCertsOptions, type OsCertsOptions } from './options.js';

export type { OsCertsOptions, ResolvedOsCertsOptions } from './options.js';
export { resolveOsCertsOptions } from './options.js';
export { TARGET_NAMES, type TargetName } from './targets/target.js';
export { parseOsRelease, linuxFamily, type OsRelease, type LinuxFamily } from './os-release.js';
export { systemTarget } from './detect.js';
export type { StatusRow, StoreState } from './status.js';

/** The tap name, also the plugin's name. */
const NAME = 'os-certs';

/**
 * Installs capture's CA where devices and programs look for trusted CAs: `capture ca install`,
 * `capture ca uninstall` and `capture ca status`, per target (Windows, macOS, the RHEL and Debian
 * families, NSS for Chrome on Linux, Firefox profiles, and step-by-step guidance for iOS and
 * Android). The CA is the HTTPS plugin's, asked for through its API. Nothing runs at proxy
 * start: the plugin only adds commands.
 */
export default function osCerts(options: OsCertsOptions = {}): CapturePlugin {
  const resolved = resolveOsCertsOptions(options);
  return {
    name: NAME,
    dependencies: ['https'],
    commands: osCertsCommands(resolved),
    reconfigure: (overrides) => osCerts({ ...options, ...overrides } as OsCertsOptions),
    apply() {
      // Installing certificates is a command, never a side effect of starting the proxy.
    },
  };
}
