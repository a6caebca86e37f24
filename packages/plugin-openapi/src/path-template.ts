/**
 * Turns concrete paths into OpenAPI path templates: identifier-like segments (numbers, UUIDs,
 * long hex, ULIDs) become `{name}` parameters named from the segment before them.
 *
 * The identifier rules are those of the collections plugin's endpoint folders (its
 * `isIdentifier`); they are repeated here rather than imported because plugins never import each
 * other at run time, and this file also needs the kind of identifier for the parameter's schema.
 * They belong in a shared module (see the package README).
 */

/** What an identifier segment looks like, which decides its parameter's schema. */
export type IdentifierKind = 'integer' | 'uuid' | 'string';

const NUMBER = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Hex of 8+ characters with a digit in it (object ids, hashes), so words such as `deadbeef` or `facade` stay. */
const HEX = /^(?=[0-9a-f]*\d)[0-9a-f]{8,}$/i;
/** ULIDs: 26 characters of Crockford's base32, starting with a time digit. */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** The kind of identifier a path segment is, or undefined when it is a literal word. */
export function identifierKind(segment: string): IdentifierKind | undefined {
  if (NUMBER.test(segment)) return 'integer';
  if (UUID.test(segment)) return 'uuid';
  if (HEX.test(segment) || ULID.test(segment)) return 'string';
  return undefined;
}

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
