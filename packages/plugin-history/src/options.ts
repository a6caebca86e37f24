import path from 'node:path';
import { z, describeValue as describe, validatePluginOptions } from '@capture/core';
import { parseDuration } from './duration.js';

/** What users write: `history({ saveResponses: true, maxEntries: 10_000, maxAge: '30d' })`. */
export interface HistoryOptions {
  /** Save each response (status, headers, body, time) with its request. Default true. */
  saveResponses?: boolean;
  /** How many exchanges to keep; the oldest beyond it are pruned in the background. Default 10,000. */
  maxEntries?: number;
  /** Prune exchanges older than this: milliseconds, or text such as `30d`, `12h`. Default: kept until `maxEntries` pushes them out. */
  maxAge?: number | string;
  /**
   * How much the database may hold: bytes, or text such as `500MB`, `2GB` (1 MB = 1,000,000 bytes;
   * `MiB`, `GiB` are powers of 1024). The oldest exchanges beyond it are pruned in the background,
   * so a few large uploads cannot fill the disk; freed space is reused, the file does not grow
   * past about this size. Default `1GB`.
   */
  maxBytes?: number | string;
  /** Milliseconds captured exchanges may wait before they are written (in one transaction). Default 200, at most 1000. */
  flushInterval?: number;
  /** Write as soon as this many exchanges are waiting, without waiting for `flushInterval`. Default 500. */
  batchSize?: number;
  /**
   * The folder `history.db` is kept in. Default: the running proxy's data folder, and for the
   * `capture history` commands the data folder they run with. Give it to use the plugin's API
   * outside a running proxy (a plugin command: `history({ dataDir: context.dataDir })`, or
   * `context.plugin('history')?.reconfigure?.({ dataDir: context.dataDir })`).
   */
  dataDir?: string;
}

/** The options with defaults filled in: what the plugin uses. */
export interface ResolvedHistoryOptions {
  /** See {@link HistoryOptions.saveResponses}. */
  readonly saveResponses: boolean;
  /** See {@link HistoryOptions.maxEntries}. */
  readonly maxEntries: number;
  /** See {@link HistoryOptions.maxAge}, in milliseconds; undefined: no age limit. */
  readonly maxAge: number | undefined;
  /** See {@link HistoryOptions.maxBytes}, in bytes. */
  readonly maxBytes: number;
  /** See {@link HistoryOptions.flushInterval}. */
  readonly flushInterval: number;
  /** See {@link HistoryOptions.batchSize}. */
  readonly batchSize: number;
  /** See {@link HistoryOptions.dataDir}, made absolute; undefined: the proxy's or the command's data folder. */
  readonly dataDir: string | undefined;
}

/** The default of {@link HistoryOptions.maxBytes}: room for a laptop's history, not its whole disk. */
export const DEFAULT_MAX_BYTES = 1_000_000_000;

const UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };

/** Bytes from a number or text such as `500MB`, `1.5 GiB`; undefined when it is not one, or under 1 MB. */
export function parseByteSize(value: unknown): number | undefined {
  let bytes: number | undefined;
  if (typeof value === 'number') bytes = value;
  else if (typeof value === 'string') {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
    const unit = match ? UNITS[(match[2] || 'b').toLowerCase()] : undefined;
    if (match && unit) bytes = Number(match[1]) * unit;
  }
  return bytes !== undefined && Number.isFinite(bytes) && bytes >= 1e6 ? Math.floor(bytes) : undefined;
}

/** A whole number of at least 1, every failure worded the same. */
function wholeNumber() {
  const error = (issue: { input?: unknown }) => `expected a whole number of at least 1, got ${describe(issue.input)}`;
  return z.number({ error }).int({ error }).min(1, { error });
}

const optionsSchema = z.strictObject({
  saveResponses: z.boolean({ error: (issue) => `expected true or false, got ${describe(issue.input)}` }).default(true),
  maxEntries: wholeNumber().default(10_000),
  maxAge: z
    .unknown()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const parsed = parseDuration(value);
      if (parsed === undefined) ctx.addIssue({ code: 'custom', message: `expected milliseconds or a duration such as "30d" or "12h", got ${describe(value)}`, input: value });
      return parsed;
    })
    .optional(),
  maxBytes: z
    .unknown()
    .transform((value, ctx) => {
      if (value === undefined) return undefined;
      const parsed = parseByteSize(value);
      if (parsed === undefined) ctx.addIssue({ code: 'custom', message: `expected bytes (at least 1 MB) or a size such as "500MB" or "2GB", got ${describe(value)}`, input: value });
      return parsed;
    })
    .optional(),
  flushInterval: z
    .number({ error: (issue) => `expected milliseconds from 1 to 1000, got ${describe(issue.input)}` })
    .min(1, { error: (issue) => `expected milliseconds from 1 to 1000, got ${describe(issue.input)}` })
    .max(1000, { error: (issue) => `expected milliseconds from 1 to 1000 (a captured exchange is written within one second), got ${describe(issue.input)}` })
    .default(200),
  batchSize: wholeNumber().default(500),
  dataDir: z
    .string({ error: (issue) => `expected a folder path, got ${describe(issue.input)}` })
    .min(1, { error: 'expected a folder path, got ""' })
    .transform((folder) => path.resolve(folder))
    .optional(),
});

/**
 * Validates the options and fills in defaults. Throws a `PluginError` (`CONFIG_INVALID`) of one
 * line naming each bad option and its value, e.g. `history: option "maxEntries": expected a whole
 * number of at least 1, got 0`.
 */
export function resolveHistoryOptions(options: unknown = {}): ResolvedHistoryOptions {
  const parsed = validatePluginOptions('history', optionsSchema, options);
  return { ...parsed, maxAge: parsed.maxAge, maxBytes: parsed.maxBytes ?? DEFAULT_MAX_BYTES, dataDir: parsed.dataDir };
}
