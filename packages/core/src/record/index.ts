/**
 * `@capture/core/record`: the exchange record every package shares and the helpers that show
 * it. It imports nothing from Node at run time, so the web view's page bundles it as well.
 */
export type { StoredBody, StoredExchange, StoredRequest, StoredResponse } from './stored-exchange.js';
export { formatBytes, formatDuration, hostOf } from './format.js';
export { toStoredBody, toStoredExchange } from './to-stored.js';
export { identifierKind, isIdentifier, type IdentifierKind } from './path-identifiers.js';
export type { HeaderList } from '../exchange.js';
export { getHeader } from '../exchange.js';
export type { WebSocketRecord, WebSocketMessageRecord, WebSocketClosedBy } from './websocket-record.js';
export type { GrpcRecord, GrpcMessage, RawMessage, RawField, RawDecodeError } from './grpc-record.js';
export { GRPC_STATUS_NAMES, grpcStatusName, parseGrpcStatus, type GrpcStatusName } from './grpc-status.js';
