/**
 * `@capture/plugin-collections`: captured requests (and, with `saveResponses`, their responses)
 * appended to a Postman Collection v2.1.0 file, `<data folder>/collections/<slug>.postman_collection.json`
 * or `file`, in folders by domain and/or endpoint; and `capture collection list|show|export`.
 *
 * @example
 * ```ts
 * import collections from '@capture/plugin-collections';
 * export default defineConfig({ plugins: [collections({ name: 'My App', groupBy: ['domain', 'endpoint'], saveResponses: true })] });
 * ```
 */
import { collections } from './plugin.js';

export default collections;
export { collections, type CollectionsApi } from './plugin.js';
export {
  resolveCollectionsOptions,
  parseGroupBy,
  DEFAULT_COLLECTION_NAME,
  GROUP_BY_CHOICES,
  type CollectionsOptions,
  type ResolvedCollectionsOptions,
  type GroupBy,
  type GroupLevel,
} from './options.js';
export { endpointOf, domainOf, folderPath, isIdentifier, ID_PLACEHOLDER } from './grouping.js';
export { slugOf, collectionFile, COLLECTIONS_FOLDER, COLLECTION_SUFFIX } from './files.js';
export { parseCollection, CollectionFileError } from './collection-file.js';
export type { CollectionDocument } from './document.js';
