import type { Duplex } from 'node:stream';
import { TextDecoder } from 'node:util';
import { constants as zlibConstants, createInflateRaw, type InflateRaw } from 'node:zlib';
import { encodeFrame, FrameError, FrameParser, parseClosePayload, type FrameHeader, type ParseFailure } from './frames.js';
import type { MessageDecision, RelayedMessage } from './message.js';
import { Opcode, toMessageRecord, type WebSocketLimits, type WebSocketMessageRecord } from './record.js';

/**
 * One direction of a relayed WebSocket connection (client → server or server → client): it
 * forwards the source's bytes to the destination and parses a copy of them into messages.
 *
 * Without `hold`, every chunk is written on as soon as it is parsed, unchanged. With `hold`,
 * the frames of each text or binary message are kept until the message is whole and the
 * decision callback has answered (drop, rewrite, forward); a message longer than `maxBodySize`
 * on the wire is not held past that point (it streams on unchanged and is only observed), so a
 * 16 MiB message never sits in memory.
 */

/** The trailer RFC 7692 7.2.2 has senders strip from each compressed message. */
const DEFLATE_TRAILER = Buffer.from([0x00, 0x00, 0xff, 0xff]);

/** What a direction needs from the relay. */
export interface DirectionOptions {
  readonly fromClient: boolean;
  readonly source: Duplex;
  readonly dest: Duplex;
  /** Messages may be compressed; `noContextTakeover`: the sender resets its context per message. */
  readonly deflate: { readonly noContextTakeover: boolean } | undefined;
  readonly limits: WebSocketLimits;
  /** Hold messages for {@link DirectionOptions.decide}'s answer before forwarding them. */
  readonly hold: boolean;
  /** Called for each message in order; its answer applies to changeable messages only. */
  decide(message: RelayedMessage): Promise<MessageDecision | undefined> | MessageDecision | undefined;
  /**
   * Takes the next place in the connection's record, in arrival order across both directions
   * (called when a message has arrived whole, before decompression or a decision).
   */
  reserve(): number;
  /** Records what was forwarded at its place; undefined frees the place (a dropped message). */
  record(message: WebSocketMessageRecord | undefined, place: number): void;
  /** A close frame was read (in wire order, before it is forwarded). */
  closeFrame(code: number | undefined, reason: string): void;
  /** The source sent an invalid frame; `destAtBoundary`: a close frame may still be written to the destination. */
  violation(error: FrameError, destAtBoundary: boolean): void;
  /** A callback or the decompressor failed in a way that is not the peer's fault. */
  fault(error: unknown): void;
}

/** A text or binary message being read. */
interface Assembly {
  readonly opcode: number;
  readonly compressed: boolean;
  size: number;
  readonly kept: Buffer[];
  keptLength: number;
  truncated: boolean;
  /** Validates uncompressed text as it arrives (RFC 6455 8.1: invalid UTF-8 fails the connection). */
  readonly utf8: TextDecoder | undefined;
  /** Raw frames held (hold mode) until the decision; undefined once the message streams on. */
  raw: Buffer[] | undefined;
  rawLength: number;
  /** Resolves when the decompressor has produced all of this message's output. */
  inflated: Promise<void>;
}

/** A control frame being read. */
interface Control {
  readonly opcode: number;
  readonly data: Buffer[];
  readonly raw: Buffer[];
}

/** See the file comment. */
export class Direction {
  readonly #o: DirectionOptions;
  readonly #parser: FrameParser;
  #message: Assembly | undefined;
  #control: Control | undefined;
  #frame: FrameHeader | undefined;
  #inflater: InflateRaw | undefined;
  /** Where the decompressor's output goes while it works on one message. */
  #sink: ((chunk: Buffer) => void) | undefined;
  /** Serialises decompression (one message at a time, so the output is attributed right). */
  #inflateChain: Promise<void> = Promise.resolve();
  /** Serialises records, decisions and (hold mode) writes in wire order. */
  #queue: Promise<void> = Promise.resolve();
  #pending = 0;
  #waitingDrain = false;
  #stopped = false;
  #shut = false;
  #ended = false;
  readonly #idle: Array<() => void> = [];

  constructor(options: DirectionOptions) {
    this.#o = options;
    this.#parser = new FrameParser(
      { fromClient: options.fromClient, compression: options.deflate !== undefined },
      {
        frame: (header, raw) => this.#onFrame(header, raw),
        payload: (data, raw) => this.#onPayload(data, raw),
        frameEnd: () => this.#onFrameEnd(),
      },
    );
  }

  /** True when what has been written to the destination ends on a frame boundary. */
  get atWriteBoundary(): boolean {
    if (!this.#o.hold) return this.#parser.atBoundary;
    // Held frames are written whole; only a message streaming on can leave a frame half-written.
    return !(this.#message && this.#message.raw === undefined && !this.#parser.atBoundary);
  }

  /** Parses and forwards a chunk from the source. */
  push(chunk: Buffer): void {
    if (this.#stopped || chunk.length === 0) return;
    const failure = this.#parser.push(chunk);
    if (!this.#o.hold) {
      const forward = failure ? (failure.frameStart >= 0 ? chunk.subarray(0, failure.frameStart) : undefined) : chunk;
      if (forward?.length) this.#writeNow(forward);
    } else if (this.#pending > 0) {
      this.#o.source.pause();
    }
    if (failure) this.#fail(failure);
  }

  /**
   * Stops forwarding: writes `closeFrame` (when the destination is at a frame boundary) after
   * what is queued, then ends the destination.
   */
  shutdown(closeFrame: Buffer | undefined, atBoundary: boolean = this.atWriteBoundary): void {
    if (this.#shut) return;
    this.#shut = true;
    this.#stopped = true;
    const inject = closeFrame && atBoundary ? closeFrame : undefined;
    this.#enqueue(async () => {
      if (inject) await this.#write(inject);
      this.#endDest();
    });
  }

  /**
   * The source ended or closed: what arrived of a message still being read is recorded
   * (truncated), and the destination is ended once the queue is written.
   */
  finish(): void {
    if (this.#ended) return;
    this.#ended = true;
    const message = this.#message;
    this.#message = undefined;
    if (message) {
      message.truncated = true;
      if (message.compressed) this.#endInflate(message, false);
      const time = Date.now();
      const place = this.#o.reserve();
      this.#enqueue(async () => {
        await message.inflated;
        await this.#recordAndObserve(this.#toRelayed(message, time, false), place);
      });
    }
    this.#enqueue(() => this.#endDest());
    this.#enqueue(() => this.#closeInflater());
  }

  /** Resolves once everything queued has been recorded and written. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  #fail(failure: ParseFailure): void {
    const destAtBoundary = this.#o.hold ? this.atWriteBoundary : failure.frameStart >= 0;
    this.#stopped = true;
    this.#o.violation(failure.error, destAtBoundary);
  }

  #onFrame(header: FrameHeader, raw: Buffer): void {
    this.#frame = header;
    if (header.opcode >= 0x8) {
      this.#control = { opcode: header.opcode, data: [], raw: [raw] };
      return;
    }
    if (header.opcode !== Opcode.CONTINUATION) {
      const compressed = header.rsv1;
      this.#message = {
        opcode: header.opcode,
        compressed,
        size: 0,
        kept: [],
        keptLength: 0,
        truncated: false,
        utf8: header.opcode === Opcode.TEXT && !compressed ? new TextDecoder('utf-8', { fatal: true }) : undefined,
        raw: this.#o.hold ? [] : undefined,
        rawLength: 0,
        inflated: Promise.resolve(),
      };
    }
    this.#holdRaw(raw);
  }

  #onPayload(data: Buffer, raw: Buffer): void {
    const control = this.#control;
    if (control) {
      control.data.push(data);
      control.raw.push(raw);
      return;
    }
    const message = this.#message!;
    this.#holdRaw(raw);
    if (message.compressed) {
      this.#inflate(message, data);
      return;
    }
    if (message.utf8) {
      try {
        message.utf8.decode(data, { stream: true });
      } catch {
        throw new FrameError(1007, `invalid UTF-8 in a text message from the ${this.#side}`);
      }
    }
    this.#keep(message, data);
  }

  #onFrameEnd(): void {
    const header = this.#frame!;
    this.#frame = undefined;
    const control = this.#control;
    if (control) {
      this.#control = undefined;
      this.#onControl(control);
      return;
    }
    if (!header.fin) return;
    const message = this.#message!;
    this.#message = undefined;
    if (message.utf8) {
      try {
        message.utf8.decode();
      } catch {
        throw new FrameError(1007, `a text message from the ${this.#side} ending inside a UTF-8 character`);
      }
    }
    if (message.compressed) this.#endInflate(message, true);
    const time = Date.now();
    const place = this.#o.reserve();
    const raw = message.raw;
    this.#enqueue(async () => {
      await message.inflated;
      const changeable =
        raw !== undefined && !(message.compressed && !this.#o.deflate!.noContextTakeover);
      const relayed = this.#toRelayed(message, time, changeable);
      if (!raw) {
        await this.#recordAndObserve(relayed, place);
        return;
      }
      let kept: WebSocketMessageRecord | undefined;
      try {
        const decision = await this.#decide(relayed);
        if (!changeable || !decision || decision.action === 'forward') {
          await this.#write(Buffer.concat(raw));
          kept = this.#toRecord(relayed);
        } else if (decision.action === 'rewrite') {
          const data = typeof decision.data === 'string' ? Buffer.from(decision.data, 'utf8') : decision.data;
          const opcode = decision.opcode ?? message.opcode;
          await this.#write(encodeFrame(opcode, data, this.#o.fromClient));
          kept = toMessageRecord(this.#o.fromClient, opcode, time, data.length, data.subarray(0, this.#o.limits.maxBodySize), data.length > this.#o.limits.maxBodySize);
        }
        // 'drop': nothing is written and nothing recorded as forwarded.
      } finally {
        // Always fills or frees its place, so the messages after it are recorded.
        this.#o.record(kept, place);
      }
    });
  }

  #onControl(control: Control): void {
    const payload = Buffer.concat(control.data);
    if (control.opcode === Opcode.CLOSE) {
      const { code, reason } = parseClosePayload(payload);
      this.#o.closeFrame(code, reason);
    }
    const time = Date.now();
    const place = this.#o.reserve();
    this.#enqueue(async () => {
      if (this.#o.hold) {
        try {
          await this.#write(Buffer.concat(control.raw));
        } catch (error) {
          this.#o.record(undefined, place);
          throw error;
        }
      }
      await this.#recordAndObserve({
        fromClient: this.#o.fromClient,
        opcode: control.opcode,
        time,
        size: payload.length,
        data: payload,
        truncated: false,
        changeable: false,
      }, place);
    });
  }

  /** Hold mode: keeps a data frame's raw bytes, or streams them on once the message outgrew the cap. */
  #holdRaw(raw: Buffer): void {
    const message = this.#message;
    if (!this.#o.hold || !message) return;
    if (message.raw) {
      message.raw.push(raw);
      message.rawLength += raw.length;
      if (message.rawLength <= this.#o.limits.maxBodySize) return;
      // Too big to hold: what is held goes on now, the rest as it arrives.
      raw = Buffer.concat(message.raw);
      message.raw = undefined;
    }
    this.#enqueue(() => this.#write(raw));
  }

  #keep(message: Assembly, data: Buffer): void {
    message.size += data.length;
    const room = this.#o.limits.maxBodySize - message.keptLength;
    if (room > 0) {
      const part = data.length > room ? data.subarray(0, room) : data;
      message.kept.push(part);
      message.keptLength += part.length;
    }
    if (data.length > room) message.truncated = true;
  }

  #inflate(message: Assembly, data: Buffer): void {
    this.#inflateStep(message, (inflater, done) => inflater.write(data, () => done()));
  }

  /** Ends a compressed message: `whole` adds the stripped trailer so the last bytes come out. */
  #endInflate(message: Assembly, whole: boolean): void {
    this.#inflateStep(message, (inflater, done) => {
      if (whole) inflater.write(DEFLATE_TRAILER);
      inflater.flush(zlibConstants.Z_SYNC_FLUSH, () => done());
    });
    message.inflated = this.#inflateChain;
    if (this.#o.deflate!.noContextTakeover) this.#inflateChain = this.#inflateChain.then(() => this.#closeInflater());
  }

  /** Runs one decompression step after the previous ones, with output going to `message`. */
  #inflateStep(message: Assembly, step: (inflater: InflateRaw, done: () => void) => void): void {
    this.#inflateChain = this.#inflateChain.then(
      () =>
        new Promise<void>((resolve) => {
          const inflater = this.#getInflater();
          this.#sink = (chunk) => this.#keep(message, chunk);
          const onError = (): void => {
            // Corrupt compressed data: the receiver will fail it; capture keeps what came out.
            message.truncated = true;
            this.#closeInflater();
            resolve();
          };
          inflater.once('error', onError);
          step(inflater, () => {
            inflater.off('error', onError);
            resolve();
          });
        }),
    );
  }

  #getInflater(): InflateRaw {
    if (!this.#inflater) {
      const inflater = createInflateRaw({ windowBits: 15 });
      inflater.on('data', (chunk: Buffer) => this.#sink?.(chunk));
      inflater.on('error', () => undefined);
      this.#inflater = inflater;
    }
    return this.#inflater;
  }

  #closeInflater(): void {
    this.#inflater?.close();
    this.#inflater = undefined;
  }

  #toRelayed(message: Assembly, time: number, changeable: boolean): RelayedMessage {
    return {
      fromClient: this.#o.fromClient,
      opcode: message.opcode,
      time,
      size: message.size,
      data: Buffer.concat(message.kept),
      truncated: message.truncated,
      changeable,
    };
  }

  #toRecord(message: RelayedMessage): WebSocketMessageRecord {
    return toMessageRecord(message.fromClient, message.opcode, message.time, message.size, message.data, message.truncated);
  }

  /** Records a message that was forwarded as is, then lets the callback observe it. */
  async #recordAndObserve(message: RelayedMessage, place: number): Promise<void> {
    this.#o.record(this.#toRecord(message), place);
    await this.#decide(message);
  }

  async #decide(message: RelayedMessage): Promise<MessageDecision | undefined> {
    try {
      return (await this.#o.decide(message)) ?? undefined;
    } catch (error) {
      this.#o.fault(error);
      return undefined;
    }
  }

  get #side(): string {
    return this.#o.fromClient ? 'client' : 'server';
  }

  /** Passthrough write: pauses the source until the destination drains. */
  #writeNow(chunk: Buffer): void {
    const { source, dest } = this.#o;
    if (dest.destroyed || dest.writableEnded) return;
    if (!dest.write(chunk) && !this.#waitingDrain) {
      this.#waitingDrain = true;
      source.pause();
      const resume = (): void => {
        dest.off('drain', resume);
        dest.off('close', resume);
        this.#waitingDrain = false;
        if (this.#pending === 0 || !this.#o.hold) source.resume();
      };
      dest.on('drain', resume);
      dest.on('close', resume);
    }
  }

  /** Queued write: waits for the destination to drain before the next item. */
  async #write(chunk: Buffer): Promise<void> {
    const { dest } = this.#o;
    if (dest.destroyed || dest.writableEnded) return;
    if (dest.write(chunk)) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        dest.off('drain', done);
        dest.off('close', done);
        resolve();
      };
      dest.on('drain', done);
      dest.on('close', done);
    });
  }

  #endDest(): void {
    const { dest } = this.#o;
    if (!dest.destroyed && !dest.writableEnded) dest.end();
  }

  #enqueue(task: () => Promise<void> | void): void {
    this.#pending++;
    this.#queue = this.#queue
      .then(task)
      .catch((error: unknown) => this.#o.fault(error))
      .finally(() => {
        this.#pending--;
        if (this.#pending > 0) return;
        if (this.#o.hold && !this.#waitingDrain && !this.#stopped) this.#o.source.resume();
        for (const resolve of this.#idle.splice(0)) resolve();
      });
  }
}
