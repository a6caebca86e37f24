import type { StoredExchange } from '@capture/core/record';
import { buildDocument } from './build.js';
import { collectTraffic } from './collect.js';
import type { SecretSet } from './secrets.js';
import type { OpenApiDocument, OpenApiVersion } from './types.js';

/** Options for {@link generateOpenApi}. */
export interface GenerateOptions {
  /** `3.1` (default) for OpenAPI 3.1.0, `3.0` for 3.0.3. */
  openapi?: OpenApiVersion;
  /** `info.title`; default `<host> API` for one host, `Captured API` for several. */
  title?: string;
  /** `info.version`; default `1.0.0`. */
  apiVersion?: string;
  /** Array items kept in examples (default 3), so one long list does not fill the document. */
  maxExampleItems?: number;
}

/** A generated document and what was learnt while making it. */
export interface GeneratedOpenApi {
  document: OpenApiDocument;
  /** Exchanges described. */
  used: number;
  /** Exchanges left out (methods OpenAPI has no operation for, URLs that are not http(s)). */
  skipped: number;
}

/**
 * Infers an OpenAPI document from captured exchanges: servers per origin, templated paths,
 * operations with query, header and body schemas merged over every sample, one redacted example
 * per operation and status, and the security schemes used. Credentials seen anywhere in the
 * traffic are scrubbed from the whole document. The same exchanges always give the same
 * document, whatever order they come in.
 */
export function generateOpenApi(exchanges: Iterable<StoredExchange>, options: GenerateOptions = {}): GeneratedOpenApi {
  const model = collectTraffic(exchanges, { maxExampleItems: options.maxExampleItems ?? 3 });
  const document = buildDocument(model, { version: options.openapi ?? '3.1', title: options.title, apiVersion: options.apiVersion ?? '1.0.0' });
  return { document: scrubDocument(document, model.secrets), used: model.used, skipped: model.skipped };
}

/** The document with every known secret removed from its strings and keys. */
export function scrubDocument<T>(value: T, secrets: SecretSet): T {
  if (!secrets.size) return value;
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return secrets.scrub(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, item]) => [secrets.scrub(key), walk(item)]));
    return node;
  };
  return walk(value) as T;
}
