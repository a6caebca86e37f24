/** A passthrough entry as users write it: a host name, a `*.` wildcard, a RegExp or a `/pattern/flags` string. */
export type HostPattern = string | RegExp;

/** Tells whether a host is to be tunnelled blindly. */
export type HostMatcher = (hostname: string) => boolean;

const REGEX_STRING = /^\/(.+)\/([dgimsuvy]*)$/;

/**
 * Compiles one passthrough entry. Strings are host names compared case-insensitively, where
 * `*` stands for one label part (`api-*.example.com`) and a leading `*.` for any number of
 * labels (`*.apple.com` matches `www.apple.com` and `a.b.apple.com`, not `apple.com`).
 * `/pattern/flags` strings (how JSON, YAML and the command line write regexes) and RegExps are
 * tested against the host name. Returns an error message for an invalid entry.
 */
export function compileHostPattern(entry: unknown): RegExp | string {
  if (entry instanceof RegExp) return new RegExp(entry.source, entry.flags.replace(/[gy]/g, ''));
  if (typeof entry !== 'string' || entry.trim() === '') return `expected a host name, "*.domain" or a regular expression, got ${JSON.stringify(entry) ?? String(entry)}`;
  const regex = REGEX_STRING.exec(entry);
  if (regex) {
    try {
      return new RegExp(regex[1]!, regex[2]!.replace(/[gy]/g, ''));
    } catch (error) {
      return `invalid regular expression "${entry}": ${(error as Error).message}`;
    }
  }
  const host = entry.trim().toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9_*.:[\]-]+$/.test(host)) return `"${entry}" is not a host name (use /pattern/ for a regular expression)`;
  const label = (text: string) => text.replace(/[.[\]]/g, '\\$&').replace(/\*/g, '[^.]*');
  const body = host.startsWith('*.') ? `(?:[^.]+\\.)+${label(host.slice(2))}` : label(host);
  return new RegExp(`^${body}$`, 'i');
}

/** Builds a matcher from compiled patterns; with none, nothing is passed through. */
export function hostMatcher(patterns: readonly RegExp[]): HostMatcher {
  if (patterns.length === 0) return () => false;
  return (hostname) => {
    const host = hostname.toLowerCase();
    return patterns.some((pattern) => pattern.test(host));
  };
}
