/**
 * `@capture/postman-format`: pure functions that turn captured exchanges into Postman Collection
 * v2.1.0 requests, items with saved responses, folders and collections. Shared by the history
 * export and the collections plugin; it does no I/O.
 */
export { toPostmanItem, toPostmanRequest, toPostmanResponse, toPostmanHeaders, defaultItemName, type ItemOptions } from './item.js';
export { toPostmanBody } from './body.js';
export { postmanSkipReason } from './skip.js';
export { unsupportedProtocolNote } from './protocol-note.js';
export { grpcStatusLine, isGrpcContentType } from './grpc-status.js';
export { toPostmanUrl } from './url.js';
export { createCollection, createFolder, type CollectionInput } from './collection.js';
export { bodyText, headerValue, isTextType, languageOf, mediaType, type MediaType } from './text.js';
export {
  POSTMAN_COLLECTION_SCHEMA,
  type HeaderPairs,
  type SourceBody,
  type SourceRequest,
  type SourceResponse,
  type SourceExchange,
  type PostmanBody,
  type PostmanCollection,
  type PostmanFolder,
  type PostmanFormParam,
  type PostmanHeader,
  type PostmanItem,
  type PostmanLanguage,
  type PostmanQueryParam,
  type PostmanRequest,
  type PostmanResponse,
  type PostmanUrl,
  type PostmanUrlEncodedParam,
} from './types.js';
