import { promises as fs } from 'node:fs';
import path from 'node:path';

/** The Linux families that have a system target. */
export type LinuxFamily = 'debian' | 'rhel';

/** What `/etc/os-release` says about the distribution. */
export interface OsRelease {
  /** `ID`, e.g. `ubuntu`, `rocky`. */
  readonly id: string;
  /** `ID_LIKE`, split, e.g. `['rhel', 'centos', 'fedora']`. */
  readonly idLike: readonly string[];
  /** `PRETTY_NAME` (else `NAME`, else the ID), for messages. */
  readonly name: string;
}

/** Parses os-release(5): `KEY=value` lines, values optionally quoted with shell escapes. */
export function parseOsRelease(text: string): OsRelease {
  const values = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (!match) continue;
    values.set(match[1]!, unquote(match[2]!.trim()));
  }
  const id = (values.get('ID') ?? 'linux').toLowerCase();
  const idLike = (values.get('ID_LIKE') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  return { id, idLike, name: values.get('PRETTY_NAME') ?? values.get('NAME') ?? id };
}

const DEBIAN_LIKE = new Set(['debian', 'ubuntu']);
const RHEL_LIKE = new Set(['rhel', 'fedora', 'centos']);

/**
 * The family whose trust store tools a distribution has: Debian, Ubuntu and Mint use
 * `update-ca-certificates`; RHEL, CentOS, Fedora, Rocky and Alma use `update-ca-trust`.
 * The ID decides first, then ID_LIKE in its order (the closest relative first).
 */
export function linuxFamily(release: OsRelease): LinuxFamily | undefined {
  for (const id of [release.id, ...release.idLike]) {
    if (DEBIAN_LIKE.has(id)) return 'debian';
    if (RHEL_LIKE.has(id)) return 'rhel';
  }
  return undefined;
}

/** Reads `/etc/os-release` (else `/usr/lib/os-release`) under `root`; undefined when neither exists. */
export async function readOsRelease(root = '/'): Promise<OsRelease | undefined> {
  for (const file of ['etc/os-release', 'usr/lib/os-release']) {
    try {
      return parseOsRelease(await fs.readFile(path.join(root, file), 'utf8'));
    } catch {
      // Try the next place; os-release(5) names both.
    }
  }
  return undefined;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
    const inner = value.slice(1, -1);
    return quote === '"' ? inner.replace(/\\(["\\$`])/g, '$1') : inner;
  }
  return value;
}
