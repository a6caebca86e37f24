import { randomUUID } from 'node:crypto';
import { POSTMAN_COLLECTION_SCHEMA, type PostmanCollection, type PostmanFolder, type PostmanItem } from './types.js';

/** What {@link createCollection} needs. */
export interface CollectionInput {
  /** The collection's name as Postman shows it. */
  name: string;
  /** Its items and folders, in order. */
  items: Array<PostmanItem | PostmanFolder>;
  /** A description (Markdown). */
  description?: string;
  /** The collection's id; a fresh UUID when omitted (give one to keep a file's id stable across saves). */
  id?: string;
}

/** Wraps items into a Postman Collection v2.1.0 document. */
export function createCollection(input: CollectionInput): PostmanCollection {
  return {
    info: {
      _postman_id: input.id ?? randomUUID(),
      name: input.name,
      ...(input.description ? { description: input.description } : {}),
      schema: POSTMAN_COLLECTION_SCHEMA,
    },
    item: input.items,
  };
}

/** A folder (Postman's item group) holding items or other folders. */
export function createFolder(name: string, items: Array<PostmanItem | PostmanFolder>, description?: string): PostmanFolder {
  return { name, item: items, ...(description ? { description } : {}) };
}
