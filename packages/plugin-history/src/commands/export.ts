import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { CaptureError, type CommandInput } from '@capture/core';
import { toCurl } from '../export/curl.js';
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
  const { text, count } = await withStore(context, (store) => {
    const exchanges = [...store.exchanges(filter)];
    return { text: renderExport(format, exchanges, options.name as string | undefined), count: exchanges.length };
  });
  const output = options.output as string | undefined;
  if (output) {
    const file = path.resolve(output);
    try {
      writeFileSync(file, text);
    } catch (error) {
      throw new CaptureError('EXPORT_FAILED', `cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    context.stderr.write(`exported ${count} exchange${count === 1 ? '' : 's'} as ${format} to ${file}\n`);
  } else {
    context.stdout.write(text);
  }
  return 0;
}

/** Renders exchanges in an export format; `name` names a Postman collection. */
export function renderExport(format: ExportFormat, exchanges: StoredExchange[], name: string | undefined): string {
  if (format === 'har') return `${JSON.stringify(toHar(exchanges), null, 2)}\n`;
  if (format === 'postman') return `${JSON.stringify(toPostmanCollection(exchanges, name ?? 'capture history'), null, 2)}\n`;
  return exchanges.map((exchange) => `${toCurl(exchange)}\n`).join('');
}
