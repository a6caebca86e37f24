import type { CaCertificate, FoundCertificate } from '../ca.js';
import type { Exec } from '../exec.js';
import type { LinuxFamily } from '../os-release.js';
import type { Plan } from '../plan.js';

/** Every target, in the order `--help` and errors list them. */
export const TARGET_NAMES = ['windows', 'macos', 'rhel', 'debian', 'nss', 'firefox', 'ios', 'android', 'android-emulator', 'ios-simulator'] as const;

/** A place `capture ca install --target` knows: an OS store, a browser's store, or a phone. */
export type TargetName = (typeof TARGET_NAMES)[number];

/** Install or uninstall. */
export type Action = 'install' | 'uninstall';

/** What a target works with: the CA, where things are, and how to run programs. */
export interface TargetEnv {
  /** The CA to install (or whose copies to remove). */
  readonly ca: CaCertificate;
  /**
   * The system root, `/` for this machine. Another folder makes system targets work on an image
   * of a system there (no root needed, paths and tools pointed inside it); tests use that.
   */
  readonly root: string;
  /** The user's home folder (NSS database, Firefox profiles). */
  readonly home: string;
  /** The platform, `process.platform` outside tests. */
  readonly platform: NodeJS.Platform;
  /** True when running as root (Administrator on Windows). */
  readonly elevated: boolean;
  /** The Linux family, for naming the package a missing tool comes in. */
  readonly family: LinuxFamily | undefined;
  /** Runs programs (probes and steps). */
  readonly exec: Exec;
  /** The NSS database folder (`--nss-db`), else `~/.pki/nssdb`. */
  readonly nssDb: string | undefined;
  /** Folders holding Firefox profiles, instead of the platform's usual ones. */
  readonly firefoxProfiles: readonly string[] | undefined;
  /** `%APPDATA%` on Windows (Firefox profiles live under it). */
  readonly appData: string | undefined;
  /** Where the Android target writes `network_security_config.xml` (`--out`). */
  readonly out: string | undefined;
  /** Addresses a phone can open to download the CA, the first one shown as a QR code. */
  readonly downloadUrls: readonly string[];
  /** The proxy address a phone sets as its HTTP proxy (`host:port`), for the guidance. */
  readonly proxyAddress: string;
}

/** A certificate found in a store, with what the store calls it. */
export interface StoreEntry extends FoundCertificate {
  /** The NSS nickname, where the store has them. */
  readonly nickname?: string;
}

/** One store of a target on this machine, as inspected. */
export interface Store {
  /** Where it is, as status shows it (a bundle, a keychain, an NSS database). */
  readonly location: string;
  /** False when it does not exist yet (an NSS database install would create). */
  readonly exists: boolean;
  /** The current CA and older capture CAs found in it, by fingerprint. */
  readonly entries: readonly StoreEntry[];
  /** Files capture placed for this store that are there now (the Linux anchor files). */
  readonly files: readonly string[];
  /** Why it could not be inspected (a missing tool, another platform); entries are then unknown. */
  readonly problem?: string;
  /** A browser that has it open and must be restarted to see a change, if one is found. */
  readonly inUse?: string;
}

/** One target: finds its stores and plans what installing or removing the CA does there. */
export interface Target {
  /** Its `--target` name. */
  readonly name: TargetName;
  /** What it is, for messages (`the Debian/Ubuntu system store`). */
  readonly title: string;
  /** `system` stores are the OS's, `browser` a browser's own, `device` a phone's (guidance only). */
  readonly kind: 'system' | 'browser' | 'device';
  /** Its stores on this machine, inspected (read-only, no root needed). */
  stores(env: TargetEnv): Promise<Store[]>;
  /** The plan for an action, from the inspected stores. Pure: tests check plans exactly. */
  plan(action: Action, env: TargetEnv, stores: readonly Store[]): Plan;
}

/** True when an entry is the CA being installed (by SHA-1 fingerprint, which every store can report). */
export function isCurrent(env: Pick<TargetEnv, 'ca'>, entry: StoreEntry): boolean {
  return entry.sha1 === env.ca.sha1;
}

/** The names of a store's older capture CAs, for messages. */
export function staleEntries(env: TargetEnv, store: Store): StoreEntry[] {
  return store.entries.filter((entry) => !isCurrent(env, entry));
}
