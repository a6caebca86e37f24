import { CaptureError, parseRegexLiteral, type PluginFlag, type UrlPattern } from '@capture/core';
import type { FiltersOptions } from './options.js';

/**
 * Reads a URL pattern given on the command line: `/pattern/flags` is a regex, anything else a
 * substring of the URL. A literal that does not compile is a usage error naming the flag.
 */
export function patternFromFlag(flag: string, value: string): UrlPattern {
  try {
    return parseRegexLiteral(value) ?? value;
  } catch (error) {
    throw new CaptureError('USAGE', `${flag}: ${(error as Error).message}`, { cause: error });
  }
}

/** A repeatable pattern flag: each occurrence adds to the list (any one matches). */
function patternList(flag: string): (value: string, previous: unknown) => UrlPattern[] {
  return (value, previous) => [...(Array.isArray(previous) ? (previous as UrlPattern[]) : []), patternFromFlag(flag, value)];
}

/**
 * The `capture start` flags of the filters plugin. Values are only read here; the factory
 * (through `reconfigure`) validates them like any option, so a bad `--methods` gets the one
 * wording of option errors.
 */
export const filtersFlags: readonly PluginFlag<FiltersOptions>[] = [
  { flags: '--exclude-assets', description: 'do not capture images, JavaScript and CSS', toOptions: () => ({ excludeAssets: true }) },
  {
    flags: '--include <pattern>',
    description: 'capture only URLs containing this text or matching /regex/flags (repeatable: any one matches)',
    parse: patternList('--include'),
    toOptions: (value) => ({ include: value as UrlPattern[] }),
  },
  {
    flags: '--exclude <pattern>',
    description: 'never capture URLs containing this text or matching /regex/flags (repeatable; wins over --include)',
    parse: patternList('--exclude'),
    toOptions: (value) => ({ exclude: value as UrlPattern[] }),
  },
  { flags: '--methods <list>', description: 'capture only these methods, e.g. GET,POST', toOptions: (value) => ({ methods: value as string }) },
];
