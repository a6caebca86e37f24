import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Stats } from 'node:fs';
import { CaptureError, ensureDataDir } from '@capture/core';
import type { PostmanItem } from '@capture/postman-format';
import { removeStaleTemporaryFiles, unsafeFileWarning, writeFileAtomic } from './atomic-write.js';
import { readCollectionFile, sameFile, serializeCollection } from './collection-file.js';
import { appendItem, newCollection, type CollectionDocument } from './document.js';

/** A request waiting to be written: the item and the folders it goes into. */
export interface PendingItem {
  folders: readonly string[];
  item: PostmanItem;
}

/** What the writer needs from its owner. */
export interface CollectionWriterOptions {
  /** The name a new collection gets. */
  name: string;
  /** Longest time in ms a pushed item waits before the file is rewritten (stretched for very large files). */
  flushInterval: number;
  /**
   * Reports a write that failed, once per run of failures (capturing goes on; the items wait),
   * and the first write that works again after one (`COLLECTION_WRITE_RESUMED`).
   */
  onError(error: CaptureError): void;
}

/** How many items may wait while writing fails before the oldest are dropped (bounds memory). */
export const MAX_PENDING = 10_000;
/** Rewriting a large file takes time: the wait between writes is at least this many times the last write's duration. */
const WRITE_DUTY = 4;
/** ... but never longer than this, so a capture is on disk within seconds. */
const MAX_INTERVAL = 10_000;

/**
 * Appends captured requests to one collection file. `push` only queues; a timer rewrites the file
 * with everything queued, atomically, at most every `flushInterval` ms. Before each write the
 * file is read again if anyone changed it since the last write, so edits made in an editor or in
 * Postman while capture runs are kept. A file that became broken is never overwritten: the items
 * wait, the problem is reported once, and the next write tries again.
 */
export class CollectionWriter {
  readonly #file: string;
  readonly #options: CollectionWriterOptions;
  #document: CollectionDocument | undefined;
  /** The file as capture last wrote (or read) it; another version means someone else changed it. */
  #known: Stats | undefined;
  #pending: PendingItem[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> | undefined;
  #interval: number;
  #failing = false;
  #written = 0;
  #dropped = 0;
  /** `#dropped` when the current run of failures began, to say how many that run cost. */
  #droppedBefore = 0;
  #closed = false;

  constructor(file: string, options: CollectionWriterOptions) {
    this.#file = file;
    this.#options = options;
    this.#interval = options.flushInterval;
  }

  /** The collection file. */
  get file(): string {
    return this.#file;
  }

  /** Items waiting to be written. */
  get pending(): number {
    return this.#pending.length;
  }

  /** Items written so far. */
  get written(): number {
    return this.#written;
  }

  /** Items dropped because writing kept failing and too many waited. */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Reads the existing file, or creates it holding an empty collection so that a folder that
   * cannot be written fails now rather than on the first request. Throws a `CaptureError` with
   * one line naming the file when it is broken or cannot be written; a broken file is left as it is.
   * Resolves with one warning line when an existing file is readable by others or not the user's.
   */
  async open(): Promise<string | undefined> {
    await removeStaleTemporaryFiles(this.#file);
    const existing = await readCollectionFile(this.#file);
    if (existing) {
      this.#document = existing.document;
      this.#known = existing.stat;
      return unsafeFileWarning(this.#file);
    }
    this.#document = newCollection(this.#options.name);
    try {
      await ensureDataDir(path.dirname(this.#file));
      await this.#write(this.#document);
    } catch (error) {
      throw new CaptureError('COLLECTION_UNWRITABLE', `cannot write ${this.#file} (${describeError(error)})`, { cause: error });
    }
    return undefined;
  }

  /** Queues an item; it is written within the flush interval. */
  push(entry: PendingItem): void {
    if (this.#closed) return;
    this.#pending.push(entry);
    if (this.#pending.length > MAX_PENDING) {
      this.#pending.shift();
      this.#dropped++;
    }
    this.#schedule();
  }

  /** Writes everything queued now; resolves once it is on disk (or the attempt failed and was reported). */
  async flush(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    // One write at a time: a second flush waits for the first, then writes what came since.
    while (this.#writing) await this.#writing;
    if (!this.#pending.length) return;
    this.#writing = this.#writeQueued().finally(() => {
      this.#writing = undefined;
      this.#schedule();
    });
    await this.#writing;
  }

  /** Writes what is queued and stops accepting items; reports items that could not be saved. */
  async close(): Promise<void> {
    await this.flush();
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const lost = this.#pending.length + this.#dropped;
    if (lost) {
      this.#options.onError(new CaptureError('COLLECTION_NOT_SAVED', `${lost} captured request${lost === 1 ? ' was' : 's were'} not saved to ${this.#file}`));
    }
  }

  #schedule(): void {
    if (this.#closed || this.#timer || this.#writing || !this.#pending.length) return;
    this.#timer = setTimeout(() => void this.flush(), this.#interval);
  }

  async #writeQueued(): Promise<void> {
    const batch = this.#pending;
    this.#pending = [];
    const started = performance.now();
    try {
      const document = await this.#current();
      for (const entry of batch) appendItem(document, entry.folders, entry.item);
      await this.#write(document);
    } catch (error) {
      // The cached document may hold half of this batch: read the file again next time.
      this.#document = undefined;
      this.#known = undefined;
      this.#pending = batch.concat(this.#pending);
      const overflow = this.#pending.length - MAX_PENDING;
      if (overflow > 0) {
        this.#pending.splice(0, overflow);
        this.#dropped += overflow;
      }
      if (!this.#failing) {
        this.#failing = true;
        this.#droppedBefore = this.#dropped - Math.max(0, overflow);
        this.#options.onError(
          error instanceof CaptureError
            ? new CaptureError(error.code, `${error.message}; ${this.#pending.length} captured request(s) wait and are written once it is fixed`, { cause: error })
            : new CaptureError('COLLECTION_WRITE_FAILED', `cannot write ${this.#file} (${describeError(error)}); capturing goes on and the next write tries again`, { cause: error }),
        );
      }
      return;
    }
    this.#written += batch.length;
    if (this.#failing) {
      this.#failing = false;
      const lost = this.#dropped - this.#droppedBefore;
      this.#options.onError(
        new CaptureError(
          'COLLECTION_WRITE_RESUMED',
          `writing ${this.#file} again: ${batch.length} captured request(s) written since, those that waited included` +
            (lost ? `; ${lost} were dropped while it could not be written (at most ${MAX_PENDING} wait)` : ''),
        ),
      );
    }
    const took = performance.now() - started;
    this.#interval = Math.min(MAX_INTERVAL, Math.max(this.#options.flushInterval, took * WRITE_DUTY));
  }

  /** The collection to append to: the one in memory while the file is as capture left it, else the file read again. */
  async #current(): Promise<CollectionDocument> {
    const now = await stat(this.#file).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (this.#document && sameFile(now, this.#known)) return this.#document;
    const read = now ? await readCollectionFile(this.#file) : undefined;
    // A file deleted while capturing (or its whole folder) starts over as a new collection, said
    // once per deletion: what the deleted file held is not in the new one.
    if (!now && this.#known) {
      this.#options.onError(new CaptureError('COLLECTION_FILE_REMOVED', `${this.#file} was removed while capturing; a new collection was started in its place (what the removed file held is gone)`));
    }
    this.#document = read?.document ?? newCollection(this.#options.name);
    this.#known = read?.stat;
    await ensureDataDir(path.dirname(this.#file));
    return this.#document;
  }

  async #write(document: CollectionDocument): Promise<void> {
    this.#known = await writeFileAtomic(this.#file, serializeCollection(document));
  }
}

function describeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const message = error instanceof Error ? error.message : String(error);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}
