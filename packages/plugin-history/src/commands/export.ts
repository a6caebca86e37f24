import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CaptureError, type CommandInput } from '@capture/core';
import { toCurlScript } from '../export/curl.js';
import { toHar } from '../export/har.js';
import { toPostmanCollection } from '../export/postman.js';
import { filterFromFlags, type FilterFlags } from '../query.js';
import type { StoredExchange } from '@capture/core';
import { withStore } from './open.js';

/** The export formats. */
export const EXPORT_FORMATS = ['har', 'postman', 'curl'] as const;

/** One of {@link EXPORT_FORMATS}. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** `capture history export`: HAR 1.2, a Postman Collection v2.1.0 or curl lines, to stdout or `-o FILE`. */
export async function runExport({ options, context }: CommandInput): Promise<number> {
  const format = options.format as (typeof EXPORT_FORMATS)[number];
  const filter = filterFromFlags(options as FilterFlags, undefined);
  const { text, exported: count, skipped } = await withStore(context, (store) => renderExport(format, store.exchanges(filter), options.name as string | undefined));
  const output = options.output as string | undefined;
  if (output) {
    const file = path.resolve(output);
    try {
      // A new export file is private like history itself (it holds the same secrets).
      writeFileSync(file, text, { mode: 0o600 });
    } catch (error) {
      throw new CaptureError('EXPORT_FAILED', `cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    context.stderr.write(`exported ${count} exchange${count === 1 ? '' : 's'} as ${format} to ${file}\n`);
  } else {
    context.stdout.write(text);
  }
  if (skipped) context.stderr.write(`skipped ${skipped} exchange${skipped === 1 ? '' : 's'} that cannot be exported as ${FORMAT_NAMES[format]} safely\n`);
  return 0;
}

/** How the skip line names each format. */
const FORMAT_NAMES: Record<ExportFormat, string> = { har: 'HAR', postman: 'a Postman collection', curl: 'curl' };

/** An export: its text, how many exchanges it holds, and how many could not be represented and were left out. */
export interface RenderedExport {
  text: string;
  exported: number;
  skipped: number;
}

/**
 * Renders exchanges in an export format; `name` names a Postman collection. Exchanges the format
 * cannot represent safely are left out (curl keeps a `# #id: skipped …` comment line for each)
 * and counted, so one malformed request never fails the whole export.
 */
export function renderExport(format: ExportFormat, exchanges: Iterable<StoredExchange>, name: string | undefined): RenderedExport {
  const list = [...exchanges];
  if (format === 'har') {
    const { har, skipped } = toHar(list);
    return { text: `${JSON.stringify(har, null, 2)}\n`, exported: list.length - skipped, skipped };
  }
  if (format === 'postman') {
    const { collection, skipped } = toPostmanCollection(list, name ?? 'capture history');
    return { text: `${JSON.stringify(collection, null, 2)}\n`, exported: list.length - skipped, skipped };
  }
  const { text, skipped } = toCurlScript(list);
  return { text, exported: list.length - skipped, skipped };
}
