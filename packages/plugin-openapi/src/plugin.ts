import { peerCoreRange, type CapturePlugin, type CaptureProxy } from '@capture/core';
import type { StoredExchange } from '@capture/core/record';
import { openapiCommands } from './commands/openapi.js';
import { parseOpenApi } from './files.js';
import { generateOpenApi, type GeneratedOpenApi, type GenerateOptions } from './generate.js';
import { readRunningHistory, type HistorySelection } from './history-source.js';
import { mergeOpenApi, type MergeResult } from './merge.js';
import { PLUGIN_NAME, resolveOpenApiOptions, type OpenApiOptions, type ResolvedOpenApiOptions } from './options.js';
import { renderOpenApi, type OutputFormat } from './render.js';
import type { OpenApiDocument } from './types.js';

/**
 * What the plugin offers other plugins (the web view's "Export → OpenAPI") through
 * `proxy.plugin('openapi')?.api`. It does no I/O: callers pass exchanges and get text back.
 */
export interface OpenApiApi {
  /** The options in use. */
  readonly options: ResolvedOpenApiOptions;
  /**
   * An OpenAPI document inferred from exchanges (the selection, or a filtered list), with this
   * plugin's options as defaults. The same exchanges give the same document.
   */
  generate(exchanges: Iterable<StoredExchange>, options?: GenerateOptions): OpenApiDocument;
  /** The document as YAML or JSON text (default: the plugin's `format`). */
  render(document: OpenApiDocument, format?: OutputFormat): string;
  /** Merges a generated document into an existing one, keeping its edits; see `mergeOpenApi`. */
  merge(existing: OpenApiDocument, generated: OpenApiDocument): MergeResult;
  /** Parses YAML or JSON text into a document; throws a `CaptureError` (`OPENAPI_INVALID`) when it is not one. */
  parse(text: string): OpenApiDocument;
  /**
   * A document inferred from the running proxy's history (`selection` narrows it), read through
   * the history plugin's async API, on its read worker: a slow read of a big history never
   * delays proxied requests. Rejects with a `CaptureError` (`OPENAPI_NO_HISTORY`) when the proxy
   * has no history plugin, or the plugin is not applied to a proxy.
   */
  fromHistory(selection?: HistorySelection, options?: GenerateOptions): Promise<GeneratedOpenApi>;
}

/**
 * Creates the OpenAPI plugin: `capture openapi` turns the captured history into an OpenAPI
 * document. It taps no hook (it reads what the history plugin stored) and publishes
 * {@link OpenApiApi} for the web view.
 */
export function openapi(options: OpenApiOptions = {}): CapturePlugin<OpenApiApi, OpenApiOptions> {
  const resolved = resolveOpenApiOptions(options);
  let running: CaptureProxy | undefined;
  const generate = (exchanges: Iterable<StoredExchange>, overrides: GenerateOptions = {}) =>
    generateOpenApi(exchanges, {
      openapi: resolved.openapi,
      apiVersion: resolved.apiVersion,
      maxExampleItems: resolved.maxExampleItems,
      ...(resolved.title ? { title: resolved.title } : {}),
      ...overrides,
    });
  const api: OpenApiApi = {
    options: resolved,
    generate: (exchanges, overrides = {}) => generate(exchanges, overrides).document,
    fromHistory: async (selection = {}, overrides = {}) => generate(await readRunningHistory(running?.plugin('history')?.api, selection), overrides),
    render: (document, format = resolved.format) => renderOpenApi(document, format),
    merge: mergeOpenApi,
    parse: (text) => parseOpenApi(text),
  };
  return {
    name: PLUGIN_NAME,
    core: peerCoreRange(import.meta.url),
    api,
    commands: openapiCommands(resolved),
    flags: [],
    reconfigure: (overrides) => openapi({ ...options, ...overrides }),
    // Nothing to tap: the document is made from history on demand.
    apply(proxy) {
      running = proxy;
      proxy.hooks.onClose.tap(PLUGIN_NAME, () => {
        if (running === proxy) running = undefined;
      });
    },
  };
}
