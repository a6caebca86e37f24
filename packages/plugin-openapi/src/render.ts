import { yaml } from './yaml.js';
import type { OpenApiDocument } from './types.js';

/** The text formats a document is written in. */
export type OutputFormat = 'yaml' | 'json';

/** The formats `--format` accepts. */
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['yaml', 'json'];

/**
 * Renders a document as YAML or JSON text ending in a newline. Keys keep the document's order
 * and nothing depends on the clock or the machine, so equal documents give equal bytes.
 */
export function renderOpenApi(document: OpenApiDocument, format: OutputFormat): string {
  if (format === 'json') return `${JSON.stringify(document, null, 2)}\n`;
  // No anchors for repeated objects and no line folding: the file should read like hand-written YAML and diff line by line.
  return yaml().stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 });
}
