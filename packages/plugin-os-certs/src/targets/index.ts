import { android, ios } from './phones.js';
import { debian } from './debian.js';
import { androidEmulator, iosSimulator } from './emulators.js';
import { firefox } from './firefox.js';
import { macos } from './macos.js';
import { nss } from './nss.js';
import { rhel } from './rhel.js';
import type { Target, TargetName } from './target.js';
import { windows } from './windows.js';

/** Every target by its `--target` name. */
export const TARGETS: Readonly<Record<TargetName, Target>> = { windows, macos, rhel, debian, nss, firefox, ios, android, 'android-emulator': androidEmulator, 'ios-simulator': iosSimulator };

export { TARGET_NAMES, type Action, type Store, type StoreEntry, type Target, type TargetEnv, type TargetName } from './target.js';
