import { describeValue, isRegExp, parseRegexLiteral, statelessRegExp } from './pattern.js';

/** A host pattern as users write it: a host name, a `*` wildcard, a RegExp or a `/pattern/flags` string. */
export type HostPattern = string | RegExp;

/** Tells whether a host name matches. */
export type HostMatcher = (hostname: string) => boolean;

/** An IPv6 address without its URL brackets (`[::1]` is `::1`); other hosts unchanged. */
export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** `host:port` with IPv6 addresses in brackets (`[::1]:443`). */
export function formatAuthority(hostname: string, port: number): string {
  return `${hostname.includes(':') ? `[${hostname}]` : hostname}:${port}`;
}

/**
 * Compiles one host pattern. Strings are host names compared case-insensitively, where `*`
 * stands for one label part (`api-*.example.com`) and a leading `*.` for any number of labels
 * (`*.apple.com` matches `www.apple.com` and `a.b.apple.com`, not `apple.com`); IPv6 addresses
 * may be written with or without brackets. `/pattern/flags` strings and RegExps are tested
 * against the host name (lower case, IPv6 without brackets). Returns an error message for an
 * invalid entry, so an options schema can report it with its position.
 */
export function compileHostPattern(entry: unknown): RegExp | string {
  if (isRegExp(entry)) return statelessRegExp(entry);
  if (typeof entry !== 'string' || entry.trim() === '') return `expected a host name, "*.domain" or a regular expression, got ${describeValue(entry)}`;
  try {
    const regex = parseRegexLiteral(entry);
    if (regex) return regex;
  } catch (error) {
    return (error as Error).message;
  }
  const host = stripBrackets(entry.trim().toLowerCase().replace(/\.$/, ''));
  if (!/^[a-z0-9_*.:-]+$/.test(host)) return `"${entry}" is not a host name (use /pattern/ for a regular expression)`;
  const label = (text: string) => text.replace(/[.]/g, '\\$&').replace(/\*/g, '[^.]*');
  const body = host.startsWith('*.') ? `(?:[^.]+\\.)+${label(host.slice(2))}` : label(host);
  return new RegExp(`^${body}$`, 'i');
}

/** One matcher for compiled host patterns; with none, nothing matches. Hosts may carry IPv6 brackets. */
export function hostMatcher(patterns: readonly RegExp[]): HostMatcher {
  if (patterns.length === 0) return () => false;
  return (hostname) => {
    const host = stripBrackets(hostname.toLowerCase()).replace(/\.$/, '');
    return patterns.some((pattern) => pattern.test(host));
  };
}
