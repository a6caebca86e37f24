/** A message as the relay hands it to its `onMessage` callback (and the plugin to `onMessage` taps). */
export interface RelayedMessage {
  /** True for client → server. */
  readonly fromClient: boolean;
  /** 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  readonly opcode: number;
  /** When it had arrived whole (ms since the epoch). */
  readonly time: number;
  /** Its full payload size in bytes (decompressed). */
  readonly size: number;
  /** Its payload, decompressed, at most `maxBodySize` bytes. */
  readonly data: Buffer;
  /** True when `data` is shorter than the payload. */
  readonly truncated: boolean;
  /**
   * True when a decision can still change it: the relay holds it (`hold` on), it is a text or
   * binary message no longer than `maxBodySize` on the wire, and it is not compressed with a
   * context the receiver keeps (dropping it would corrupt the messages after it).
   */
  readonly changeable: boolean;
}

/** What an `onMessage` callback may decide for a changeable message; anything else forwards it unchanged. */
export type MessageDecision =
  | { readonly action: 'forward' }
  | { readonly action: 'drop' }
  | {
      readonly action: 'rewrite';
      /** The new payload (a string is sent as UTF-8). */
      readonly data: Buffer | string;
      /** The new opcode, 1 text or 2 binary; default the message's own. */
      readonly opcode?: 1 | 2;
    };
