import { peerCoreRange, type CapturePlugin } from '@capture/core';
import { osCertsApi, type OsCertsApi } from './api.js';
import { osCertsCommands } from './commands.js';
import { osCertsFlags } from './flags.js';
import { PLUGIN_NAME as NAME, resolveOsCertsOptions, type OsCertsOptions } from './options.js';

export type { OsCertsOptions, ResolvedOsCertsOptions } from './options.js';
export { resolveOsCertsOptions, PLUGIN_NAME } from './options.js';
export { osCertsFlags } from './flags.js';
export { TARGET_NAMES, type TargetName } from './targets/target.js';
export { parseOsRelease, linuxFamily, type OsRelease, type LinuxFamily } from './os-release.js';
export { systemTarget } from './detect.js';
export type { StatusRow, StoreState } from './status.js';
export type { OsCertsApi, RunPlanIo } from './api.js';
export type { Plan, Step } from './plan.js';
export { stepToShell } from './plan.js';

declare module '@capture/core' {
  interface PluginRegistry {
    /** os-certs' API trusts the CA in a given profile (`capture browser`); its options are {@link OsCertsOptions}. */
    'os-certs': { api: OsCertsApi; options: OsCertsOptions };
  }
}

/**
 * Installs capture's CA where devices and programs look for trusted CAs: `capture ca install`,
 * `capture ca uninstall` and `capture ca status`, per target (Windows, macOS, the RHEL and Debian
 * families, NSS for Chrome on Linux, Firefox profiles, and step-by-step guidance for iOS and
 * Android). The CA is the HTTPS plugin's, asked for through its API (`context.plugin('https')`),
 * never read from a path of its own. Nothing runs at proxy
 * start: the plugin only adds commands.
 */
export default function osCerts(options: OsCertsOptions = {}): CapturePlugin<OsCertsApi, OsCertsOptions> {
  const resolved = resolveOsCertsOptions(options);
  return {
    name: NAME,
    core: peerCoreRange(import.meta.url),
    dependencies: ['https'],
    api: osCertsApi(),
    commands: osCertsCommands(resolved),
    flags: osCertsFlags,
    reconfigure: (overrides: Partial<OsCertsOptions>) => osCerts({ ...options, ...overrides }),
    apply() {
      // Installing certificates is a command, never a side effect of starting the proxy.
    },
  };
}
