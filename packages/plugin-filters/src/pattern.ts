/**
 * A URL pattern as users write it: a plain substring of the full URL or a `RegExp`. In JSON and
 * YAML (and on the command line, which the CLI converts) a regex is written `/pattern/flags`.
 */
export type UrlPattern = string | RegExp;

/** A pattern compiled once, when the plugin is created. */
export interface CompiledPattern {
  /** The pattern as the user wrote it, for messages and the plugin's API. */
  readonly source: string;
  /** True when the full URL matches. */
  test(url: string): boolean;
}

/**
 * `/pattern/flags`, as a JavaScript regex literal is written: everything between the first and the
 * last slash is the pattern, and what follows the last slash is only flag letters. A path such as
 * `/api/private` (ending in letters that are not flags) stays a plain substring.
 */
const REGEX_LITERAL = /^\/(.*)\/([dgimsuvy]*)$/s;

/**
 * Compiles one pattern. Returns a message naming the bad value instead of throwing, so the
 * options schema can report every bad entry with its position.
 */
export function compilePattern(value: unknown, options: { regexStrings?: boolean } = {}): CompiledPattern | string {
  if (isRegExp(value)) return fromRegExp(value, String(value));
  if (typeof value !== 'string') return `expected a string or a RegExp, got ${describeValue(value)}`;
  if (value === '') return 'an empty pattern would match every URL; remove it or write a substring or /regex/';
  const literal = options.regexStrings ? REGEX_LITERAL.exec(value) : null;
  if (!literal) {
    const needle = value;
    return { source: value, test: (url) => url.includes(needle) };
  }
  let regex: RegExp;
  try {
    regex = new RegExp(literal[1]!, literal[2]);
  } catch (error) {
    const reason = (error as Error).message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '');
    return `invalid regular expression ${JSON.stringify(value)}: ${reason}`;
  }
  return fromRegExp(regex, value);
}

/**
 * `g` and `y` make `test()` remember where it stopped (`lastIndex`), so one URL would change
 * the answer for the next: they are dropped, as they mean nothing for a yes/no match.
 */
function fromRegExp(regex: RegExp, source: string): CompiledPattern {
  const stateless = regex.global || regex.sticky ? new RegExp(regex.source, regex.flags.replace(/[gy]/g, '')) : regex;
  return { source, test: (url) => stateless.test(url) };
}

/** RegExp objects from another realm (a config loaded in a VM) fail `instanceof`, so check the tag. */
function isRegExp(value: unknown): value is RegExp {
  return value instanceof RegExp || Object.prototype.toString.call(value) === '[object RegExp]';
}

/**
 * Builds one function answering "does any of these patterns match?", or undefined when the list
 * is empty. Plain substrings are checked before regexes because `includes` is cheaper.
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

/** A value as it appears in an error message: strings quoted, others as JSON or their type. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}
