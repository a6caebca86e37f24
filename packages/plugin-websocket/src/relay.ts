import type { Duplex } from 'node:stream';
import { Direction } from './direction.js';
import { parseDeflateParams } from './extensions.js';
import { closePayload, encodeFrame, type FrameError } from './frames.js';
import type { MessageDecision, RelayedMessage } from './message.js';
import {
  DEFAULT_MAX_WEBSOCKET_MESSAGES,
  Opcode,
  type WebSocketClosedBy,
  type WebSocketLimits,
  type WebSocketMessageRecord,
  type WebSocketRecord,
} from './record.js';

/** How a relayed connection ended, given once to `onClose` and by `RelayHandle.done`. */
export interface WebSocketCompletion {
  /** The first close frame's code; 1006 when a side vanished without one; the proxy's code after an invalid frame. */
  readonly closeCode: number | undefined;
  /** The first close frame's reason (or what was invalid). */
  readonly closeReason: string | undefined;
  /** Who closed first. */
  readonly closedBy: WebSocketClosedBy;
  /** From the relay's start to both sockets closed, in milliseconds. */
  readonly duration: number;
  /** Messages a decision dropped (they are neither forwarded nor in `record.messages`). */
  readonly messagesDroppedByHook: number;
}

/** What {@link relayWebSocket} needs. */
export interface RelayOptions {
  /** The client's socket, after the 101 response was written to it. */
  readonly client: Duplex;
  /** The origin's socket, after its 101 response head was read. */
  readonly upstream: Duplex;
  /** Bytes the client sent after its upgrade request, already read (frames to forward first). */
  readonly clientHead?: Buffer;
  /** Bytes the origin sent after its 101 head, already read. */
  readonly upstreamHead?: Buffer;
  /** The `Sec-WebSocket-Extensions` header of the origin's 101 (what was negotiated). */
  readonly extensions?: string | undefined;
  /** Capture limits; default `maxBodySize` 10 MiB, `maxWebSocketMessages` 10,000. */
  readonly limits?: Partial<WebSocketLimits>;
  /**
   * Hold each text or binary message until `onMessage` has answered, so its decision applies.
   * Off (the default), bytes are forwarded as soon as they are parsed and `onMessage` only observes.
   */
  readonly hold?: boolean;
  /** Called for each message (and ping, pong, close) in order per direction. */
  readonly onMessage?: (message: RelayedMessage) => Promise<MessageDecision | undefined> | MessageDecision | undefined;
  /**
   * Called with each message record before it is kept; returns what is kept (redaction). If it
   * throws, the message is kept without its payload (never unredacted) and `onError` is told.
   */
  readonly transformRecord?: (message: WebSocketMessageRecord) => WebSocketMessageRecord;
  /** Called after a record was kept at `index` of `record.messages` (live observers). */
  readonly onRecorded?: (message: WebSocketMessageRecord, index: number) => void;
  /** Called once when both sockets have closed and every message is recorded. */
  readonly onClose?: (completion: WebSocketCompletion) => void;
  /** A callback threw, or something failed that is no peer's fault (the relay goes on). */
  readonly onError?: (error: unknown) => void;
  /** After one side closed, how long the other may take to close before it is destroyed (ms); default 10,000. */
  readonly closeTimeout?: number;
}

/** A running relay. */
export interface RelayHandle {
  /** The live record: messages are appended as they are forwarded. */
  readonly record: WebSocketRecord;
  /** Settles once, when the connection is over (never rejects). */
  readonly done: Promise<WebSocketCompletion>;
  /**
   * Closes both sides from the proxy (close frames where possible), e.g. when capture stops; the
   * sockets are destroyed if they are still open after `grace` ms (default: the `closeTimeout`).
   */
  close(code?: number, reason?: string, grace?: number): void;
}

const DEFAULT_MAX_BODY_SIZE = 10 * 1024 * 1024;

/**
 * Relays an upgraded WebSocket connection: bytes go each way unchanged (with backpressure) while a
 * copy is parsed into messages for `record`. An invalid frame from either side closes the
 * connection with the right close code (1002, or 1007 for invalid UTF-8 in a text message),
 * sent to each side where a frame boundary allows it, and is recorded as closed by the proxy.
 * When one side ends or fails, the other is ended.
 */
export function relayWebSocket(options: RelayOptions): RelayHandle {
  const started = performance.now();
  const limits: WebSocketLimits = {
    maxBodySize: options.limits?.maxBodySize ?? DEFAULT_MAX_BODY_SIZE,
    maxWebSocketMessages: options.limits?.maxWebSocketMessages ?? DEFAULT_MAX_WEBSOCKET_MESSAGES,
  };
  const { client, upstream } = options;
  const deflate = parseDeflateParams(options.extensions);
  const record: WebSocketRecord = { messages: [], droppedMessages: 0 };
  const closeTimeout = options.closeTimeout ?? 10_000;
  let droppedByHook = 0;
  let settle!: (completion: WebSocketCompletion) => void;
  const done = new Promise<WebSocketCompletion>((resolve) => (settle = resolve));

  const fault = (error: unknown): void => {
    try {
      options.onError?.(error);
    } catch {
      // An error reporter that throws has nowhere left to report to.
    }
  };
  const keep = (message: WebSocketMessageRecord): void => {
    if (record.messages.length >= limits.maxWebSocketMessages) {
      record.droppedMessages++;
      return;
    }
    let kept = message;
    if (options.transformRecord) {
      try {
        kept = options.transformRecord(message);
      } catch (error) {
        fault(error);
        kept = withoutPayload(message);
      }
    }
    record.messages.push(kept);
    if (!options.onRecorded) return;
    try {
      options.onRecorded(kept, record.messages.length - 1);
    } catch (error) {
      fault(error);
    }
  };
  // Messages are recorded in the order they arrived, across both directions: each takes a place
  // when it arrives whole, and places are filled in order (a compressed message being inflated,
  // or one a hook holds, keeps the later ones waiting, for the record only; forwarding never waits).
  let nextPlace = 0;
  let nextToKeep = 0;
  const arrived = new Map<number, WebSocketMessageRecord | undefined>();
  const reserve = (): number => nextPlace++;
  const place = (message: WebSocketMessageRecord | undefined, at: number): void => {
    arrived.set(at, message);
    while (arrived.has(nextToKeep)) {
      const ready = arrived.get(nextToKeep);
      arrived.delete(nextToKeep++);
      if (ready) keep(ready);
    }
  };
  /** Keeps whatever is still waiting behind a place that was never filled (only after a fault). */
  const keepStragglers = (): void => {
    for (const at of [...arrived.keys()].sort((a, b) => a - b)) {
      const ready = arrived.get(at);
      if (ready) keep(ready);
    }
    arrived.clear();
    nextToKeep = nextPlace;
  };
  const closedFirst = (by: WebSocketClosedBy, code: number | undefined, reason: string | undefined): void => {
    if (record.closedBy) return;
    record.closedBy = by;
    if (code !== undefined) record.closeCode = code;
    if (reason !== undefined) record.closeReason = reason;
  };
  const decide = async (message: RelayedMessage): Promise<MessageDecision | undefined> => {
    const decision = options.onMessage ? await options.onMessage(message) : undefined;
    if (message.changeable && decision?.action === 'drop') droppedByHook++;
    return decision;
  };

  const directions = {} as { fromClient: Direction; fromServer: Direction };
  const violation = (fromClient: boolean, error: FrameError, destAtBoundary: boolean): void => {
    closedFirst('proxy', error.closeCode, error.message);
    const payload = closePayload(error.closeCode, error.message);
    const offender = fromClient ? directions.fromClient : directions.fromServer;
    const other = fromClient ? directions.fromServer : directions.fromClient;
    // The peer of the offender gets a close frame only where its stream is at a frame boundary.
    offender.shutdown(encodeFrame(Opcode.CLOSE, payload, fromClient), destAtBoundary);
    // The offender gets one from the proxy, written after what the other side already sent it.
    other.shutdown(encodeFrame(Opcode.CLOSE, payload, !fromClient));
  };
  for (const fromClient of [true, false]) {
    const direction = new Direction({
      fromClient,
      source: fromClient ? client : upstream,
      dest: fromClient ? upstream : client,
      deflate: deflate
        ? { noContextTakeover: fromClient ? deflate.clientNoContextTakeover : deflate.serverNoContextTakeover }
        : undefined,
      limits,
      hold: options.hold ?? false,
      decide,
      reserve,
      record: place,
      closeFrame: (code, reason) => closedFirst(fromClient ? 'client' : 'server', code ?? 1005, reason),
      violation: (error, destAtBoundary) => violation(fromClient, error, destAtBoundary),
      fault,
    });
    if (fromClient) directions.fromClient = direction;
    else directions.fromServer = direction;
  }

  let open = 2;
  let timer: NodeJS.Timeout | undefined;
  const watch = (socket: Duplex, other: Duplex, direction: Direction, by: 'client' | 'server'): void => {
    socket.on('data', (chunk: Buffer) => direction.push(chunk));
    socket.on('end', () => direction.finish());
    socket.on('error', () => undefined);
    const onClose = (): void => {
      // No close frame before the socket went: an abnormal closure (RFC 6455 7.1.5).
      closedFirst(by, 1006, '');
      direction.finish();
      if (--open === 0) return void complete();
      timer ??= setTimeout(() => other.destroy(), closeTimeout);
      timer.unref?.();
    };
    // A socket that closed before it was handed over will not say so again.
    if (socket.destroyed) queueMicrotask(onClose);
    else socket.once('close', onClose);
  };
  let completed = false;
  const complete = async (): Promise<void> => {
    if (completed) return;
    completed = true;
    if (timer) clearTimeout(timer);
    await Promise.all([directions.fromClient.idle(), directions.fromServer.idle()]);
    keepStragglers();
    const completion: WebSocketCompletion = {
      closeCode: record.closeCode,
      closeReason: record.closeReason,
      closedBy: record.closedBy ?? 'unknown',
      duration: performance.now() - started,
      messagesDroppedByHook: droppedByHook,
    };
    try {
      options.onClose?.(completion);
    } catch (error) {
      fault(error);
    }
    settle(completion);
  };

  watch(client, upstream, directions.fromClient, 'client');
  watch(upstream, client, directions.fromServer, 'server');
  if (options.upstreamHead?.length) directions.fromServer.push(options.upstreamHead);
  if (options.clientHead?.length) directions.fromClient.push(options.clientHead);
  // The sockets may come paused (core pauses them while it reads the handshake).
  client.resume();
  upstream.resume();

  return {
    record,
    done,
    close(code = 1001, reason = 'capture is closing', grace = closeTimeout) {
      closedFirst('proxy', code, reason);
      const payload = closePayload(code, reason);
      directions.fromClient.shutdown(encodeFrame(Opcode.CLOSE, payload, true));
      directions.fromServer.shutdown(encodeFrame(Opcode.CLOSE, payload, false));
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        client.destroy();
        upstream.destroy();
      }, Math.min(grace, closeTimeout));
      timer.unref?.();
    },
  };
}

/** A record with its payload left out (what is kept when redaction failed): marked truncated, as nothing of it is kept. */
function withoutPayload(message: WebSocketMessageRecord): WebSocketMessageRecord {
  return { fromClient: message.fromClient, opcode: message.opcode, time: message.time, size: message.size, base64: '', truncated: true };
}
