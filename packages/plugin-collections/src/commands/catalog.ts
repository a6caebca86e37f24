import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { CaptureError } from '@capture/core';
import { parseCollection } from '../collection-file.js';
import { countRequests, type CollectionDocument } from '../document.js';
import { COLLECTION_SUFFIX, COLLECTIONS_FOLDER, collectionFilesIn, slugOf } from '../files.js';

/** One collection file as the commands see it. */
export interface CollectionEntry {
  /** The file. */
  file: string;
  /** The collection's name (`info.name`); undefined when the file could not be read as a collection. */
  name: string | undefined;
  /** How many requests it holds, folders counted through. */
  requests: number;
  /** When the file last changed (epoch ms). */
  updated: number;
  /** The parsed collection, when it is one. */
  document: CollectionDocument | undefined;
  /** Why it could not be read as a collection. */
  problem: string | undefined;
}

/** Reads one file as a collection entry; a broken file gives an entry with its problem, not an error. */
export async function readEntry(file: string): Promise<CollectionEntry> {
  const info = await stat(file);
  try {
    const document = parseCollection(await readFile(file, 'utf8'), file);
    return { file, name: document.info.name, requests: countRequests(document.item), updated: info.mtimeMs, document, problem: undefined };
  } catch (error) {
    return { file, name: undefined, requests: 0, updated: info.mtimeMs, document: undefined, problem: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Every collection the commands know: the files in `<data folder>/collections`, plus the file the
 * config's `collections({ file })` names when it is elsewhere.
 */
export async function listEntries(dataDir: string, configuredFile: string | undefined): Promise<CollectionEntry[]> {
  const files = await collectionFilesIn(dataDir);
  if (configuredFile && !files.includes(configuredFile) && existsSync(configuredFile)) files.push(configuredFile);
  return Promise.all(files.map(readEntry));
}

/**
 * Finds the collection a user named: by its name (exact, then ignoring case), by its file name
 * (`demo` or `demo.postman_collection.json`), or by a path to a file. Throws a `CaptureError`
 * that lists the known collections when nothing matches, and the candidates when several do.
 */
export async function findEntry(query: string, dataDir: string, configuredFile: string | undefined): Promise<CollectionEntry> {
  const entries = await listEntries(dataDir, configuredFile);
  const lower = query.toLowerCase();
  const base = path.basename(query).replace(new RegExp(`${COLLECTION_SUFFIX.replace(/\./g, '\\.')}$`), '');
  const matchers: Array<(entry: CollectionEntry) => boolean> = [
    (entry) => entry.name === query,
    (entry) => entry.name?.toLowerCase() === lower,
    (entry) => path.basename(entry.file, COLLECTION_SUFFIX) === base || path.basename(entry.file) === query,
    (entry) => entry.name !== undefined && slugOf(entry.name) === slugOf(query),
  ];
  for (const matches of matchers) {
    const found = entries.filter(matches);
    if (found.length === 1) return found[0]!;
    if (found.length > 1) {
      throw new CaptureError('COLLECTION_AMBIGUOUS', `"${query}" matches ${found.length} collections (${found.map((entry) => entry.file).join(', ')}); give the file path instead`);
    }
  }
  // A path to a collection file anywhere, e.g. one a config writes outside the data folder.
  const asPath = path.resolve(query);
  if ((query.includes('/') || query.includes(path.sep) || query.endsWith('.json')) && existsSync(asPath)) return readEntry(asPath);
  // A file that is not a collection has no name to match: the file its name would have is it.
  const broken = entries.find((entry) => entry.document === undefined && path.basename(entry.file) === `${slugOf(query)}${COLLECTION_SUFFIX}`);
  if (broken) return broken;
  const known = entries.filter((entry) => entry.name !== undefined).map((entry) => `"${entry.name}"`);
  const folder = path.join(dataDir, COLLECTIONS_FOLDER);
  throw new CaptureError(
    'COLLECTION_NOT_FOUND',
    known.length
      ? `no collection "${query}" in ${folder} (there are ${known.join(', ')})`
      : `no collection "${query}": ${folder} holds none yet (capture start --save-to collection --collection "${query}" creates it)`,
  );
}

/** The entry's collection, or a `CaptureError` saying the file is broken and why. */
export function documentOf(entry: CollectionEntry): CollectionDocument {
  if (!entry.document) throw new CaptureError('COLLECTION_INVALID', `the collection file is broken: ${entry.problem ?? `${entry.file} is not a collection`}`);
  return entry.document;
}
