import path from 'node:path';
import { CaptureError, type CommandInput } from '@capture/core';
import { writeFileAtomic } from '../atomic-write.js';
import { serializeCollection } from '../collection-file.js';
import { documentOf, findEntry } from './catalog.js';

/** `capture collection export NAME [-o FILE]`: the collection as Postman imports it, to stdout or a file. */
export async function runExport({ args, options, context }: CommandInput, configuredFile: string | undefined): Promise<number> {
  const entry = await findEntry(String(args[0]), context.dataDir, configuredFile);
  const text = serializeCollection(documentOf(entry));
  const output = options.output as string | undefined;
  if (!output) {
    context.stdout.write(text);
    return 0;
  }
  const file = path.resolve(output);
  try {
    await writeFileAtomic(file, text);
  } catch (error) {
    throw new CaptureError('EXPORT_FAILED', `cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  context.stderr.write(`exported "${documentOf(entry).info.name}" (${entry.requests} request${entry.requests === 1 ? '' : 's'}) to ${file}\n`);
  return 0;
}
