import { promises as fs } from 'node:fs';
import path from 'node:path';
import { yaml } from './yaml.js';
import { CaptureError } from '@capture/core';
import type { OpenApiDocument } from './types.js';

/** Writes `text` to `file` through a temporary file and a rename, so a reader never sees half a document. */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const temporary = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fs.writeFile(temporary, text);
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw new CaptureError('OPENAPI_WRITE_FAILED', `openapi: cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/** Parses an OpenAPI document (YAML or JSON); anything else is an error naming the file. */
export function parseOpenApi(text: string, file = 'the document'): OpenApiDocument {
  let value: unknown;
  try {
    // YAML 1.2 reads JSON too.
    value = yaml().parse(text);
  } catch (error) {
    throw new CaptureError('OPENAPI_INVALID', `openapi: ${file} is neither YAML nor JSON (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`, { cause: error });
  }
  const document = value as Partial<OpenApiDocument> | null;
  if (!document || typeof document !== 'object' || typeof document.openapi !== 'string' || !/^3\.[01]\./.test(document.openapi)) {
    throw new CaptureError('OPENAPI_INVALID', `openapi: ${file} is not an OpenAPI 3.0 or 3.1 document (no "openapi: 3.x.y" at its top)`);
  }
  if (document.paths !== undefined && (typeof document.paths !== 'object' || document.paths === null)) {
    throw new CaptureError('OPENAPI_INVALID', `openapi: ${file} has "paths" that is not an object`);
  }
  return document as OpenApiDocument;
}

/** Reads and parses a document to merge into. */
export async function readOpenApiFile(file: string): Promise<OpenApiDocument> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CaptureError('OPENAPI_INVALID', `openapi: cannot read ${file} (${code ?? (error as Error).message})`, { cause: error });
  }
  return parseOpenApi(text, file);
}
