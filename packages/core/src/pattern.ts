import { CaptureError } from './errors.js';

/** The flags a JavaScript regex accepts (`g` and `y` are accepted and then dropped). */
const KNOWN_FLAGS = 'dgimsuvy';

/**
 * `/pattern/tail`: everything between the first and the last slash is the pattern, and the
 * tail is what follows the last slash (no slash in it).
 */
const SLASHED = /^\/(.+)\/([^/]*)$/s;

/** A tail this short and made only of ASCII letters is taken as an attempt at flags. */
const FLAG_ATTEMPT = /^[A-Za-z]{1,3}$/;

/**
 * Reads a regex written `/pattern/flags` (how JSON, YAML and the command line write regexes).
 * The one parser of this syntax: every plugin and the CLI use it.
 *
 * The rule, for text that starts with `/` and has another `/` later (the tail is what follows
 * the last slash):
 * - an empty tail, or a tail of only known flag letters (`dgimsuvy`), is a regex literal:
 *   `/api/`, `/api/i`, `/v\d+/gi`;
 * - a tail of 1–3 ASCII letters that are not all known flags is a literal with bad flags, and
 *   an error: `/abc/z`, `/x/Ig`. So is a known flag given twice (`/x/gg`, `/x/ii`);
 * - any other tail (4 letters or more, or holding a digit, `.`, `-`, …) is not a literal, and
 *   the text stays a plain substring: `/api/private`, `/api/v1`, `/static/app.js`.
 * Real flag sets are short (nobody needs more than three of them), while path segments are
 * usually longer; a two- or three-letter last segment (`/api/me`) is refused with a message
 * saying how to write it as text, rather than silently read one way or the other.
 *
 * Returns undefined when `text` is not a literal; throws a `CaptureError` (`PATTERN_INVALID`)
 * naming the text (and the bad flag) when it is one but has bad flags or does not compile.
 * `g` and `y` are dropped: they make `test()` remember where it stopped, so one URL would
 * change the answer for the next.
 */
export function parseRegexLiteral(text: string): RegExp | undefined {
  const literal = SLASHED.exec(text);
  if (!literal) return undefined;
  const pattern = literal[1]!;
  const tail = literal[2]!;
  const allKnown = [...tail].every((flag) => KNOWN_FLAGS.includes(flag));
  if (!allKnown && !FLAG_ATTEMPT.test(tail)) return undefined;
  const unknown = [...tail].find((flag) => !KNOWN_FLAGS.includes(flag));
  if (unknown !== undefined) {
    throw new CaptureError(
      'PATTERN_INVALID',
      `invalid regular expression ${JSON.stringify(text)}: Invalid flags: unknown flag "${unknown}" (flags are ${[...KNOWN_FLAGS].join(', ')}); ` +
        `to match the text ${text}, write ${text.slice(1)} (no first slash) or the regex ${asTextRegex(text)}`,
    );
  }
  const repeated = [...tail].find((flag, index) => tail.indexOf(flag) !== index);
  if (repeated !== undefined) {
    throw new CaptureError('PATTERN_INVALID', `invalid regular expression ${JSON.stringify(text)}: Invalid flags: flag "${repeated}" is given twice`);
  }
  try {
    return new RegExp(pattern, tail.replace(/[gy]/g, ''));
  } catch (error) {
    const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    throw new CaptureError('PATTERN_INVALID', `invalid regular expression ${JSON.stringify(text)}: ${reason}`);
  }
}

/** `/api/me` as a regex literal matching that text: `/\/api\/me/`. */
function asTextRegex(text: string): string {
  return `/${text.replace(/[\\^$.*+?()[\]{}|/]/g, (char) => `\\${char}`)}/`;
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
