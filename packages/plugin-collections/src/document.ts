import { createCollection, createFolder, type PostmanItem } from '@capture/postman-format';

/**
 * A collection as read from a file: the parts capture relies on are typed, everything else
 * (descriptions, auth, scripts, variables, whatever Postman or the user added) is kept as it is.
 */
export interface CollectionDocument {
  info: { name: string; schema: string; _postman_id?: string; [key: string]: unknown };
  item: unknown[];
  [key: string]: unknown;
}

/** A folder in a collection (an item with an `item` list). */
interface FolderLike {
  name?: unknown;
  item: unknown[];
}

/** The description a new collection gets, so people know where it came from. */
export const NEW_COLLECTION_DESCRIPTION = 'Requests captured with the capture proxy.';

/** A new, empty collection. */
export function newCollection(name: string): CollectionDocument {
  return createCollection({ name, items: [], description: NEW_COLLECTION_DESCRIPTION }) as unknown as CollectionDocument;
}

function isFolder(entry: unknown): entry is FolderLike {
  return typeof entry === 'object' && entry !== null && Array.isArray((entry as FolderLike).item) && !('request' in entry);
}

/**
 * Appends an item at the end of the folder `folders` names (outermost first), creating the
 * folders that do not exist yet. An existing folder is found by its exact name, so a folder the
 * user renamed gets a new one beside it rather than being guessed at.
 */
export function appendItem(collection: CollectionDocument, folders: readonly string[], item: PostmanItem): void {
  let list = collection.item;
  for (const name of folders) {
    let folder = list.find((entry): entry is FolderLike => isFolder(entry) && entry.name === name);
    if (!folder) {
      folder = createFolder(name, []) as FolderLike;
      list.push(folder);
    }
    list = folder.item;
  }
  list.push(item);
}

/** How many requests a collection (or a folder's list) holds, folders counted through. */
export function countRequests(items: readonly unknown[]): number {
  let count = 0;
  for (const entry of items) {
    if (isFolder(entry)) count += countRequests(entry.item);
    else if (typeof entry === 'object' && entry !== null && 'request' in entry) count++;
  }
  return count;
}

/** A node of a collection's folder tree, for `capture collection show`. */
export interface TreeNode {
  /** The folder's or request's name. */
  name: string;
  /** Set for folders: what they hold, in order. */
  children?: TreeNode[];
}

/** The folder tree of a list of items, with names as the collection has them. */
export function treeOf(items: readonly unknown[]): TreeNode[] {
  return items
    .filter((entry): entry is Record<string, unknown> => typeof entry === 'object' && entry !== null)
    .map((entry) => {
      const name = typeof entry.name === 'string' ? entry.name : '(unnamed)';
      return isFolder(entry) ? { name, children: treeOf(entry.item) } : { name };
    });
}
