import { readdir } from 'node:fs/promises';
import path from 'node:path';
import slugify from '@sindresorhus/slugify';
import { COLLECTION_SUFFIX, COLLECTIONS_FOLDER } from './file-names.js';
import type { ResolvedCollectionsOptions } from './options.js';

export { COLLECTION_SUFFIX, COLLECTIONS_FOLDER } from './file-names.js';

/** The file-name part for a collection name: `My App` gives `my-app`, `Café Déjà vu` gives `cafe-deja-vu`. */
export function slugOf(name: string): string {
  return slugify(name) || 'collection';
}

/** Where a collection's file is: the `file` option, else `<data folder>/collections/<slug>.postman_collection.json`. */
export function collectionFile(options: Pick<ResolvedCollectionsOptions, 'name' | 'file'>, dataDir: string): string {
  return options.file ?? path.join(dataDir, COLLECTIONS_FOLDER, `${slugOf(options.name)}${COLLECTION_SUFFIX}`);
}

/** The collection files in a data folder's `collections` folder, sorted by name; none when it does not exist. */
export async function collectionFilesIn(dataDir: string): Promise<string[]> {
  const folder = path.join(dataDir, COLLECTIONS_FOLDER);
  const names = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [] as string[];
    throw error;
  });
  // Hidden files are the temporary files of writes in progress (or of a process that was killed).
  return names
    .filter((name) => name.endsWith(COLLECTION_SUFFIX) && !name.startsWith('.'))
    .sort()
    .map((name) => path.join(folder, name));
}
