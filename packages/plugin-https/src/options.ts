import path from 'node:path';
import { z, compileHostPattern, describeValue, validatePluginOptions, type HostPattern } from '@capture/core';

/** What users write: `https({ passthrough: ['*.apple.com', /bank/], upstreamCa: ['./corp-root.pem'] })`. */
export interface HttpsOptions {
  /**
   * Hosts tunnelled blindly instead of intercepted (apps that pin certificates, banking…):
   * host names, `*.domain` wildcards, RegExps or `/pattern/flags` strings. Matched against
   * the CONNECT host and the TLS server name.
   */
  passthrough?: HostPattern | readonly HostPattern[];
  /** PEM files of extra certificate authorities trusted for upstream TLS, besides the system's. */
  upstreamCa?: string | readonly string[];
  /** Do not verify upstream TLS certificates at all. Default false. */
  insecureUpstream?: boolean;
  /** How many per-host certificates are kept in memory (least recently used dropped first). Default 1000. */
  certificateCacheSize?: number;
  /**
   * HTTP/2 with clients that offer it, when the origin speaks it too (or the client speaks
   * nothing else, as gRPC): `'auto'` (default) asks each origin's ALPN first; `false` gives
   * every client HTTP/1.1 (`--no-http2`).
   */
  http2?: 'auto' | false;
}

/** The options validated and compiled once, when the plugin is created. */
export interface ResolvedHttpsOptions {
  /** Compiled passthrough patterns. */
  readonly passthrough: readonly RegExp[];
  /** Absolute paths of the extra upstream CA files. */
  readonly upstreamCa: readonly string[];
  /** See {@link HttpsOptions.insecureUpstream}. */
  readonly insecureUpstream: boolean;
  /** See {@link HttpsOptions.certificateCacheSize}. */
  readonly certificateCacheSize: number;
  /** See {@link HttpsOptions.http2}. */
  readonly http2: 'auto' | false;
}

/** The plugin's name, as its taps and option errors name it. */
export const PLUGIN_NAME = 'https';

const list = <T>(item: (value: unknown, ctx: z.RefinementCtx, index: number | undefined) => T | undefined) =>
  z.unknown().optional().transform((value, ctx): T[] => {
    if (value === undefined) return [];
    const entries = Array.isArray(value) ? (value as unknown[]) : [value];
    const out: T[] = [];
    entries.forEach((entry, index) => {
      const result = item(entry, ctx, Array.isArray(value) ? index : undefined);
      if (result !== undefined) out.push(result);
    });
    return out;
  });

const optionsSchema = z.strictObject({
  passthrough: list((entry, ctx, index) => {
    const compiled = compileHostPattern(entry);
    if (typeof compiled !== 'string') return compiled;
    ctx.addIssue({ code: 'custom', message: compiled, path: index === undefined ? [] : [index], input: entry });
    return undefined;
  }),
  upstreamCa: list((entry, ctx, index) => {
    if (typeof entry === 'string' && entry.trim() !== '') return path.resolve(entry);
    ctx.addIssue({ code: 'custom', message: `expected the path of a PEM file, got ${describeValue(entry)}`, path: index === undefined ? [] : [index], input: entry });
    return undefined;
  }),
  insecureUpstream: z.boolean({ error: (issue) => `expected true or false, got ${describeValue(issue.input)}` }).default(false),
  certificateCacheSize: z
    .number({ error: (issue) => `expected a whole number of certificates, got ${describeValue(issue.input)}` })
    .int({ error: (issue) => `expected a whole number of certificates, got ${describeValue(issue.input)}` })
    .min(1, { error: (issue) => `must be at least 1, got ${describeValue(issue.input)}` })
    .default(1000),
  http2: z.union([z.literal('auto'), z.literal(false)], { error: (issue) => `expected 'auto' or false, got ${describeValue(issue.input)}` }).default('auto'),
});

/**
 * Validates and compiles the options. Throws a `PluginError` (`CONFIG_INVALID`) whose message
 * names the option and the bad value, e.g. `https: option "passthrough[1]": invalid regular expression "/[/": …`.
 */
export function resolveHttpsOptions(options: unknown = {}): ResolvedHttpsOptions {
  return validatePluginOptions(PLUGIN_NAME, optionsSchema, options);
}
