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
import { collections, type CollectionsApi } from './plugin.js';
import type { CollectionsOptions } from './options.js';

declare module '@capture/core' {
  interface PluginRegistry {
    /** `proxy.plugin('collections')?.api` is a {@link CollectionsApi}. */
    collections: { api: CollectionsApi; options: CollectionsOptions };
  }
}

export default collections;
export { collections, type CollectionsApi } from './plugin.js';
export { collectionsFlags } from './flags.js';
export {
  PLUGIN_NAME,
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
// Not slugOf/collectionFile: their module holds slugify's tables, which load when the plugin runs.
export { COLLECTIONS_FOLDER, COLLECTION_SUFFIX } from './file-names.js';
export { parseCollection, CollectionFileError } from './collection-file.js';
export type { CollectionDocument } from './document.js';
