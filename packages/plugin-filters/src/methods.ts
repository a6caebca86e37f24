import { describeValue } from '@capture/core';

/** An HTTP method token (RFC 9110 §9.1: a `token`). */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Reads the `methods` option: a comma-separated string (`"GET, post"`) or a list, each entry of
 * which may itself hold commas. Spaces around names are ignored and names are upper-cased, so
 * matching is case-insensitive. Returns the methods, or a message naming the bad value.
 */
export function parseMethods(value: unknown): string[] | string {
  const entries = typeof value === 'string' ? [value] : Array.isArray(value) ? (value as unknown[]) : undefined;
  if (!entries) return `expected a comma-separated string or a list of methods, got ${describeValue(value)}`;
  const methods = new Set<string>();
  for (const entry of entries) {
    if (typeof entry !== 'string') return `expected method names, got ${describeValue(entry)}`;
    for (const part of entry.split(',')) {
      const method = part.trim();
      if (method === '') return `empty method in ${describeValue(entry)}`;
      if (!TOKEN.test(method)) return `${describeValue(method)} is not an HTTP method`;
      methods.add(method.toUpperCase());
    }
  }
  return [...methods];
}
