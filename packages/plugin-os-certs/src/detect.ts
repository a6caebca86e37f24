import { linuxFamily, type OsRelease } from './os-release.js';
import type { TargetName } from './targets/target.js';

/**
 * The system target for a machine: Windows and macOS by platform, Linux by its os-release
 * family; undefined when there is none (another Unix, an unknown Linux), and the user must pick.
 */
export function systemTarget(platform: NodeJS.Platform, release: OsRelease | undefined): TargetName | undefined {
  if (platform === 'win32') return 'windows';
  if (platform === 'darwin') return 'macos';
  if (platform === 'linux' && release) return linuxFamily(release);
  return undefined;
}
