import { promises as fs, type Stats } from 'node:fs';
import { CaptureError } from '@capture/core';
import type { CollectionDocument } from './document.js';

/** The `info.schema` URLs of v2.1.0 collections: Postman writes the first; newer exports may use the second host. */
const V21_SCHEMA = /^https?:\/\/schema\.(?:get)?postman\.com\/json\/collection\/v2\.1\.0\/collection\.json$/;
const ANY_VERSION = /\/collection\/(v[\d.]+)\//;

/** The advice every refusal ends with: the file is never touched, here is what to do. */
const LEFT_ALONE = 'capture left it untouched: fix it, move it away, or save to another collection';

/**
 * A collection file that is not valid JSON or not a v2.1.0 collection; capture never overwrites
 * such a file. Its message names the file; the plugin's name is added by core's `PluginError`
 * where the error leaves the plugin (apply, report, commands, `api.save`).
 */
export class CollectionFileError extends CaptureError {
  /** The file that was refused. */
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super('COLLECTION_INVALID', `${file} ${problem}; ${LEFT_ALONE}`, options);
    this.name = 'CollectionFileError';
    this.file = file;
  }
}

/** A JSON parser's message on one short line: V8 quotes the text around the error, which may span lines. */
function oneLine(message: string): string {
  const flat = message.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 117)}...` : flat;
}

/**
 * Parses a collection file's text and checks that it is a Postman Collection v2.1.0: an object
 * whose `info` has a name and the v2.1.0 schema, and whose `item` is a list. Only what capture
 * relies on is checked, so anything Postman or a person added is accepted and kept.
 */
export function parseCollection(text: string, file: string): CollectionDocument {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CollectionFileError(file, `is not valid JSON (${oneLine(error instanceof Error ? error.message : String(error))})`, { cause: error });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CollectionFileError(file, `is not a Postman collection (it holds ${Array.isArray(value) ? 'a list' : value === null ? 'null' : typeof value}, not an object)`);
  }
  const { info, item } = value as { info?: unknown; item?: unknown };
  if (typeof info !== 'object' || info === null || Array.isArray(info)) throw new CollectionFileError(file, 'is not a Postman collection (it has no "info" object)');
  const { schema, name } = info as { schema?: unknown; name?: unknown };
  if (typeof schema !== 'string') throw new CollectionFileError(file, 'is not a Postman collection (it has no "info.schema")');
  if (!V21_SCHEMA.test(schema)) {
    const version = ANY_VERSION.exec(schema)?.[1];
    throw new CollectionFileError(file, version ? `is a Postman Collection ${version}, not v2.1.0 (export it from Postman as Collection v2.1)` : `is not a Postman Collection v2.1.0 (its "info.schema" is ${JSON.stringify(schema)})`);
  }
  if (typeof name !== 'string') throw new CollectionFileError(file, 'is not a valid Postman collection (its "info.name" is not a string)');
  if (!Array.isArray(item)) throw new CollectionFileError(file, 'is not a valid Postman collection (its "item" is not a list)');
  return value as CollectionDocument;
}

/** A collection read from disk, with the file's stat to tell later whether someone changed it. */
export interface ReadCollection {
  document: CollectionDocument;
  stat: Stats;
}

/** Reads and checks a collection file; undefined when it does not exist. Throws {@link CollectionFileError} for a broken one. */
export async function readCollectionFile(file: string): Promise<ReadCollection | undefined> {
  let text: string;
  let stat: Stats;
  try {
    // Stat before reading: if the file changes in between, the stale stat makes the next flush read again.
    stat = await fs.stat(file);
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CaptureError('COLLECTION_UNREADABLE', `cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, { cause: error });
  }
  return { document: parseCollection(text, file), stat };
}

/** True when two stats describe the same version of a file (same inode, size and modification time). */
export function sameFile(a: Stats | undefined, b: Stats | undefined): boolean {
  return a !== undefined && b !== undefined && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** A collection as the files hold it: tab-indented like Postman's own exports, ending with a newline. */
export function serializeCollection(document: CollectionDocument): string {
  return `${JSON.stringify(document, null, '\t')}\n`;
}
