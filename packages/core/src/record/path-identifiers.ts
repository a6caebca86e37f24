/**
 * Which path segments are identifiers rather than words: the rule that groups `/users/42` and
 * `/users/7` as one endpoint (collections' folders) and templates them as `/users/{userId}`
 * (OpenAPI). One definition, so both agree on what an endpoint is.
 */

/** What an identifier segment looks like, which decides a path parameter's schema. */
export type IdentifierKind = 'integer' | 'uuid' | 'string';

const NUMBER = /^\d+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Hex of 8+ characters with a digit in it (object ids, hashes), so words such as `deadbeef` or `facade` stay. */
const HEX = /^(?=[0-9a-f]*\d)[0-9a-f]{8,}$/i;
/** ULIDs: 26 characters of Crockford's base32, starting with a time digit. */
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

/** The kind of identifier a path segment is (a number, a UUID, long hex, a ULID), or undefined for a word. */
export function identifierKind(segment: string): IdentifierKind | undefined {
  if (NUMBER.test(segment)) return 'integer';
  if (UUID.test(segment)) return 'uuid';
  if (HEX.test(segment) || ULID.test(segment)) return 'string';
  return undefined;
}

/** True when a path segment looks like an identifier rather than a word. */
export function isIdentifier(segment: string): boolean {
  return identifierKind(segment) !== undefined;
}
