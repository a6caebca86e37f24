/** The folder of the data folder that holds collections. */
export const COLLECTIONS_FOLDER = 'collections';

/** How collection files end, as Postman names its exports. */
export const COLLECTION_SUFFIX = '.postman_collection.json';
