/**
 * Turns concrete paths into OpenAPI path templates: identifier-like segments (numbers, UUIDs,
 * long hex, ULIDs, as core's `identifierKind` tells them, the same rule collections group
 * endpoints by) become `{name}` parameters named from the segment before them.
 */
import { identifierKind, type IdentifierKind } from '@capture/core/record';

export { identifierKind, type IdentifierKind };

/** The kind that covers two samples of one parameter: the same kind, else a plain string. */
export function widenKind(a: IdentifierKind, b: IdentifierKind): IdentifierKind {
  return a === b ? a : 'string';
}

/** One segment of a template: a literal word or a parameter. */
export type TemplateSegment = { literal: string } | { param: string; kind: IdentifierKind };

/** A templated path. */
export interface PathTemplate {
  /** `/users/{userId}/orders`. */
  template: string;
  /** The segments after the leading slash. */
  segments: TemplateSegment[];
}

/**
 * Templates a pathname (no query string). Parameters are named from the literal segment before
 * them (`users` → `userId`), `id` when there is none; repeated names get a number.
 */
export function templatePath(pathname: string): PathTemplate {
  const raw = pathname.split('/').slice(1);
  const used = new Map<string, number>();
  const segments: TemplateSegment[] = raw.map((part, index) => {
    const decoded = safeDecode(part);
    const kind = identifierKind(decoded);
    if (!kind) return { literal: decoded };
    const previous = index > 0 ? safeDecode(raw[index - 1]!) : undefined;
    const base = previous !== undefined && !identifierKind(previous) ? paramNameFor(previous) : 'id';
    const seen = used.get(base) ?? 0;
    used.set(base, seen + 1);
    return { param: seen ? `${base}${seen + 1}` : base, kind };
  });
  const template = `/${segments.map((segment) => ('literal' in segment ? escapeLiteral(segment.literal) : `{${segment.param}}`)).join('/')}`;
  return { template, segments };
}

/** `users` → `userId`, `line-items` → `lineItemId`, `categories` → `categoryId`. */
export function paramNameFor(segment: string): string {
  const words = segment.split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (!words.length) return 'id';
  const last = singular(words.pop()!);
  const camel = [...words, last].map((word, index) => (index ? word[0]!.toUpperCase() + word.slice(1) : word[0]!.toLowerCase() + word.slice(1))).join('');
  return /^[0-9]/.test(camel) ? `id${camel}` : `${camel}Id`;
}

/** A plain English singular, good enough for resource names. */
function singular(word: string): string {
  if (/ies$/i.test(word) && word.length > 3) return `${word.slice(0, -3)}y`;
  if (/(ss|x|ch|sh)es$/i.test(word)) return word.slice(0, -2);
  if (/[^su]s$/i.test(word)) return word.slice(0, -1);
  return word;
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/** Braces in a literal segment would read as a parameter; keep them percent-encoded. */
function escapeLiteral(literal: string): string {
  return literal.replace(/[{}]/g, (brace) => encodeURIComponent(brace));
}
