/**
 * `@capture/plugin-openapi`: `capture openapi` writes an OpenAPI 3.1 (or 3.0.3) document
 * inferred from the captured history: servers per origin, templated paths
 * (`/users/{userId}/orders`), schemas merged over every sample, redacted examples and the
 * security schemes used; `--merge` keeps a hand-edited document up to date.
 *
 * @example
 * ```ts
 * import history from '@capture/plugin-history';
 * import openapi from '@capture/plugin-openapi';
 * export default defineConfig({ plugins: [history({ saveResponses: true }), openapi({ openapi: '3.1' })] });
 * ```
 */
import { openapi, type OpenApiApi } from './plugin.js';
import type { OpenApiOptions } from './options.js';

export default openapi;
export { openapi, type OpenApiApi } from './plugin.js';
export { resolveOpenApiOptions, PLUGIN_NAME, type OpenApiOptions, type ResolvedOpenApiOptions } from './options.js';
export { generateOpenApi, type GenerateOptions, type GeneratedOpenApi } from './generate.js';
export { renderOpenApi, OUTPUT_FORMATS, type OutputFormat } from './render.js';
export { mergeOpenApi, formatDrift, type DriftReport, type MergeResult } from './merge.js';
export { parseOpenApi } from './files.js';
export type { HistorySelection } from './history-source.js';
export { templatePath, identifierKind, paramNameFor, type PathTemplate, type TemplateSegment, type IdentifierKind } from './path-template.js';
export type * from './types.js';

declare module '@capture/core' {
  interface PluginRegistry {
    /** `proxy.plugin('openapi')?.api` is an {@link OpenApiApi}. */
    openapi: { api: OpenApiApi; options: OpenApiOptions };
  }
}
