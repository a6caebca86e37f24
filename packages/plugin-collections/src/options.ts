import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z, describeValue, validatePluginOptions } from '@capture/core';

/** A level of folders: a folder per host (`domain`) or per endpoint (`endpoint`). */
export type GroupLevel = 'domain' | 'endpoint';

/**
 * How requests are organized in folders, as in Postman's "Organize requests by": `'none'`
 * (chronological, no folders), `'domain'`, `'endpoint'`, or both (`['domain', 'endpoint']`, also
 * written `'domain,endpoint'`): domain folders holding endpoint folders.
 */
export type GroupBy = 'none' | GroupLevel | readonly GroupLevel[] | (string & {});

/** What users write: `collections({ name: 'My App', groupBy: ['domain', 'endpoint'], saveResponses: true })`. */
export interface CollectionsOptions {
  /**
   * The collection's name as Postman shows it. It also names the file,
   * `<data folder>/collections/<slug>.postman_collection.json`, unless `file` is given.
   * Default `Captured requests`.
   */
  name?: string;
  /**
   * Write to this file instead (a path relative to the working directory, an absolute path, or a
   * `file:` URL such as `new URL('./app.postman_collection.json', import.meta.url)`).
   */
  file?: string | URL;
  /** Folders to organize requests in. Default `'none'`: one list in the order they were captured. */
  groupBy?: GroupBy;
  /** Save each response as the request's example (status, headers, body, time). Default false, as in Postman. */
  saveResponses?: boolean;
  /** Longest time in ms a captured request waits before the file is rewritten with it. Default 500 (10 to 10000). */
  flushInterval?: number;
}

/** The options with defaults filled in: what the plugin uses. */
export interface ResolvedCollectionsOptions {
  /** See {@link CollectionsOptions.name}. */
  readonly name: string;
  /** The absolute path of `file`, when given; otherwise the file is found in the data folder. */
  readonly file: string | undefined;
  /** The folder levels, outermost first: `[]`, `['domain']`, `['endpoint']` or `['domain', 'endpoint']`. */
  readonly groupBy: readonly GroupLevel[];
  /** See {@link CollectionsOptions.saveResponses}. */
  readonly saveResponses: boolean;
  /** See {@link CollectionsOptions.flushInterval}. */
  readonly flushInterval: number;
}

/** The collection name used when none is given. */
export const DEFAULT_COLLECTION_NAME = 'Captured requests';

/** The values `groupBy` accepts, as shown in error messages and `--help`. */
export const GROUP_BY_CHOICES = ['none', 'domain', 'endpoint', 'domain,endpoint'] as const;

/** The plugin's name, its tap name, as its errors are named. */
export const PLUGIN_NAME = 'collections';

/** A value in a message: core's wording, with a `file:` URL shown as its address. */
const describe = (value: unknown): string => (value instanceof URL ? value.href : describeValue(value));

/**
 * Parses a grouping: a level, `'none'`, a comma-separated list or a list of levels. Returns the
 * levels domain-first (domain folders hold endpoint folders, whatever order they were given in),
 * or an error message.
 */
export function parseGroupBy(value: unknown): GroupLevel[] | string {
  const expected = `expected ${GROUP_BY_CHOICES.map((choice) => `"${choice}"`).join(', ')} or a list of "domain" and "endpoint", got ${describe(value)}`;
  let words: unknown[];
  if (typeof value === 'string') words = value.split(',').map((word) => word.trim().toLowerCase());
  else if (Array.isArray(value)) words = value.map((word) => (typeof word === 'string' ? word.trim().toLowerCase() : word));
  else return expected;
  if (words.length === 1 && (words[0] === 'none' || words[0] === '')) return [];
  if (!words.length) return [];
  if (words.some((word) => word !== 'domain' && word !== 'endpoint')) return expected;
  return (['domain', 'endpoint'] as const).filter((level) => words.includes(level));
}

const optionsSchema = z.strictObject({
  name: z
    .string({ error: (issue) => `expected a non-empty string, got ${describe(issue.input)}` })
    .trim()
    .min(1, { error: 'expected a non-empty string, got ""' })
    .default(DEFAULT_COLLECTION_NAME),
  file: z
    .unknown()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      if (value instanceof URL && value.protocol === 'file:') return fileURLToPath(value);
      if (typeof value === 'string' && value.trim() !== '') return path.resolve(value);
      ctx.addIssue({ code: 'custom', message: `expected a file path or a file: URL, got ${describe(value)}`, input: value });
      return undefined;
    })
    .optional(),
  groupBy: z
    .unknown()
    .transform((value, ctx): GroupLevel[] => {
      if (value === undefined) return [];
      const parsed = parseGroupBy(value);
      if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed, input: value });
      return typeof parsed === 'string' ? [] : parsed;
    })
    .optional(),
  saveResponses: z.boolean({ error: (issue) => `expected true or false, got ${describe(issue.input)}` }).default(false),
  flushInterval: z
    .number({ error: (issue) => `expected milliseconds from 10 to 10000, got ${describe(issue.input)}` })
    .min(10, { error: (issue) => `expected milliseconds from 10 to 10000, got ${describe(issue.input)}` })
    .max(10_000, { error: (issue) => `expected milliseconds from 10 to 10000, got ${describe(issue.input)}` })
    .default(500),
});

/**
 * Validates the options and fills in defaults. Throws a `PluginError` (`CONFIG_INVALID`) of one
 * line naming each bad option and its value, e.g. `collections: option "groupBy": expected
 * "none", "domain", "endpoint", "domain,endpoint" or a list of "domain" and "endpoint", got "host"`.
 */
export function resolveCollectionsOptions(options: unknown = {}): ResolvedCollectionsOptions {
  const { name, file, groupBy, saveResponses, flushInterval } = validatePluginOptions(PLUGIN_NAME, optionsSchema, options);
  return { name, file, groupBy: groupBy ?? [], saveResponses, flushInterval };
}
