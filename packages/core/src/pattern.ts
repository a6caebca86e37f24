import { CaptureError } from './errors.js';

/**
 * `/pattern/flags`, as a JavaScript regex literal is written: everything between the first and
 * the last slash is the pattern, and what follows the last slash is only flag letters. A path
 * such as `/api/private` (ending in letters that are not all flags) is not a literal.
 */
const REGEX_LITERAL = /^\/(.+)\/([dgimsuvy]*)$/s;

/**
 * Reads a regex written `/pattern/flags` (how JSON, YAML and the command line write regexes).
 * Returns undefined when `text` is not written that way; throws a `CaptureError`
 * (`PATTERN_INVALID`) naming the text when it is, but does not compile. `g` and `y` are dropped:
 * they make `test()` remember where it stopped, so one URL would change the answer for the next.
 * The one parser of this syntax: every plugin and the CLI use it.
 */
export function parseRegexLiteral(text: string): RegExp | undefined {
  const literal = REGEX_LITERAL.exec(text);
  if (!literal) return undefined;
  try {
    return new RegExp(literal[1]!, literal[2]!.replace(/[gy]/g, ''));
  } catch (error) {
    const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    throw new CaptureError('PATTERN_INVALID', `invalid regular expression ${JSON.stringify(text)}: ${reason}`);
  }
}

/** A copy of `regex` without the stateful `g` and `y` flags (see {@link parseRegexLiteral}). */
export function statelessRegExp(regex: RegExp): RegExp {
  return regex.global || regex.sticky ? new RegExp(regex.source, regex.flags.replace(/[gy]/g, '')) : regex;
}

/** RegExp objects from another realm (a config loaded in a VM) fail `instanceof`, so check the tag. */
export function isRegExp(value: unknown): value is RegExp {
  return value instanceof RegExp || Object.prototype.toString.call(value) === '[object RegExp]';
}

/** A URL pattern as users write it: a plain substring of the full URL, or a `RegExp`. */
export type UrlPattern = string | RegExp;

/** A URL pattern compiled once, when a plugin is created. */
export interface CompiledPattern {
  /** The pattern as the user wrote it, for messages and plugin APIs. */
  readonly source: string;
  /** True when the full URL matches. */
  test(url: string): boolean;
}

/**
 * Compiles one URL pattern: a RegExp, or a string that is a substring of the URL, except that
 * with `regexStrings` (options from JSON, YAML or the command line) a string written
 * `/pattern/flags` is a regex. Returns a message naming the bad value instead of throwing, so
 * an options schema can report every bad entry with its position.
 */
export function compileUrlPattern(value: unknown, options: { regexStrings?: boolean } = {}): CompiledPattern | string {
  if (isRegExp(value)) return fromRegExp(statelessRegExp(value), String(value));
  if (typeof value !== 'string') return `expected a string or a RegExp, got ${describeValue(value)}`;
  if (value === '') return 'an empty pattern would match every URL; remove it or write a substring or /regex/';
  let regex: RegExp | undefined;
  try {
    regex = options.regexStrings ? parseRegexLiteral(value) : undefined;
  } catch (error) {
    return (error as Error).message;
  }
  if (regex) return fromRegExp(regex, value);
  const needle = value;
  return { source: value, test: (url) => url.includes(needle) };
}

function fromRegExp(regex: RegExp, source: string): CompiledPattern {
  return { source, test: (url) => regex.test(url) };
}

/**
 * One function answering "does any of these patterns match?", or undefined when the list is
 * empty (so callers can skip the check entirely).
 */
export function matchAny(patterns: readonly CompiledPattern[]): ((url: string) => boolean) | undefined {
  if (patterns.length === 0) return undefined;
  const tests = patterns.map((pattern) => pattern.test);
  if (tests.length === 1) return tests[0];
  return (url) => {
    for (const test of tests) if (test(url)) return true;
    return false;
  };
}

/** A value as it appears in an error message: strings quoted, RegExps as written, others as JSON or their type. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (isRegExp(value)) return String(value);
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}
