/**
 * What the plugin needs once it records or saves, loaded on first use so that creating the
 * plugin (every `capture` invocation offers its flags and commands) costs no Postman builder,
 * file writer or slugify's transliteration tables (about 4 MiB and 40 ms at start).
 */
export { toPostmanItem } from '@capture/postman-format';
export { collectionFile } from './files.js';
export { folderPath } from './grouping.js';
export { CollectionWriter } from './writer.js';
