import { z, validatePluginOptions } from '@capture/core';
import { OUTPUT_FORMATS, type OutputFormat } from './render.js';
import type { OpenApiVersion } from './types.js';

/** The plugin's name, also its tap name. */
export const PLUGIN_NAME = 'openapi';

/** What users write: `openapi({ openapi: '3.0', format: 'json' })`. Each is the default of a `capture openapi` flag. */
export interface OpenApiOptions {
  /** `3.1` (default) or `3.0` (writes 3.0.3). `--openapi` overrides it. */
  openapi?: OpenApiVersion;
  /** `yaml` (default) or `json`. `--format` overrides it; so does an `-o` file ending in `.json`. */
  format?: OutputFormat;
  /** `info.title`; default `<host> API`. `--title` overrides it. */
  title?: string;
  /** `info.version`; default `1.0.0`. */
  apiVersion?: string;
  /** Array items kept in examples; default 3. */
  maxExampleItems?: number;
}

/** The options with defaults filled in. */
export interface ResolvedOpenApiOptions {
  readonly openapi: OpenApiVersion;
  readonly format: OutputFormat;
  readonly title: string | undefined;
  readonly apiVersion: string;
  readonly maxExampleItems: number;
}

const schema = z.strictObject({
  openapi: z.enum(['3.1', '3.0']).optional(),
  format: z.enum(OUTPUT_FORMATS as [OutputFormat, ...OutputFormat[]]).optional(),
  title: z.string().min(1).optional(),
  apiVersion: z.string().min(1).optional(),
  maxExampleItems: z.number().int().min(0).optional(),
});

/** Validates options (a one-line `PluginError` naming each bad one) and fills defaults. */
export function resolveOpenApiOptions(options: OpenApiOptions = {}): ResolvedOpenApiOptions {
  const parsed = validatePluginOptions(PLUGIN_NAME, schema, options);
  return {
    openapi: parsed.openapi ?? '3.1',
    format: parsed.format ?? 'yaml',
    title: parsed.title,
    apiVersion: parsed.apiVersion ?? '1.0.0',
    maxExampleItems: parsed.maxExampleItems ?? 3,
  };
}
