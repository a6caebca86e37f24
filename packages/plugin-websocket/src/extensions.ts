/**
 * Reads the `permessage-deflate` parameters a server accepted (RFC 7692) from its
 * `Sec-WebSocket-Extensions` response header. Only what capture needs: whether messages may be
 * compressed, and whether each side keeps its compression context between messages.
 */

/** The negotiated `permessage-deflate`, as far as decompressing for capture needs it. */
export interface DeflateParams {
  /** The server resets its context for each message (`server_no_context_takeover`). */
  readonly serverNoContextTakeover: boolean;
  /** The client resets its context for each message (`client_no_context_takeover`). */
  readonly clientNoContextTakeover: boolean;
}

/**
 * The accepted `permessage-deflate` parameters, or undefined when the header does not accept it.
 * A server accepts at most one `permessage-deflate` offer; the first one listed is used.
 */
export function parseDeflateParams(header: string | undefined): DeflateParams | undefined {
  if (!header) return undefined;
  for (const extension of header.split(',')) {
    const [name, ...params] = extension.split(';').map((part) => part.trim());
    if (name?.toLowerCase() !== 'permessage-deflate') continue;
    const keys = new Set(params.map((param) => param.split('=')[0]!.trim().toLowerCase()));
    return {
      serverNoContextTakeover: keys.has('server_no_context_takeover'),
      clientNoContextTakeover: keys.has('client_no_context_takeover'),
    };
  }
  return undefined;
}
