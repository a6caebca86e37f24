import { isGrpcContentType } from './grpc-status.js';
import { headerValue } from './text.js';
import type { SourceExchange } from './types.js';

/**
 * What a collection item must tell its reader when the exchange is a protocol Postman Collection
 * v2.1 cannot hold, or undefined: a gRPC call (request `Content-Type: application/grpc*`: the
 * item keeps the HTTP request, not the call's framed messages and trailers) or a WebSocket
 * (an `Upgrade: websocket` request answered 101: the item keeps the upgrade, not the messages).
 * Without the note, running the item would look like a replay of the call and is not one.
 */
export function unsupportedProtocolNote(exchange: SourceExchange): string | undefined {
  const { request, response } = exchange;
  if (isGrpcContentType(headerValue(request.headers, 'content-type'))) {
    return (
      'This is a gRPC call: Postman Collection v2.1 cannot hold gRPC calls (their framed messages, metadata and status trailers), ' +
      'so running this item does not repeat it. To keep the whole call, export it as HAR (capture history export --format har) ' +
      'or as JSON (capture history show ID --json), or open it in Postman as a gRPC request.'
    );
  }
  if (/^websocket$/i.test(headerValue(request.headers, 'upgrade')?.trim() ?? '') && response?.statusCode === 101) {
    return (
      'This is a WebSocket connection: Postman Collection v2.1 cannot hold WebSocket messages, so this item keeps only the upgrade request. ' +
      'To keep the messages, export it as HAR (capture history export --format har, messages in _webSocketMessages) ' +
      'or as JSON (capture history show ID --json), or open the URL in Postman as a WebSocket request.'
    );
  }
  return undefined;
}
