import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * Frees the socket buffers a large body leaves behind, at the pace it flows. Every chunk read
 * from a socket is a fresh buffer of up to 64 KiB that is garbage once forwarded; V8 sees only
 * a small object on its heap (the bytes are outside it), so it collects when about 64 MiB of
 * such memory has piled up: a 512 MiB download held 60-90 MiB of dead read buffers. A minor
 * collection (a scavenge: a fraction of a millisecond while the young generation holds little)
 * every {@link BYTES_PER_COLLECTION} forwarded body bytes frees them while they are young.
 * Measured on a 512 MiB download through `capture start` (default plugins): the main thread's
 * buffer memory peaked at 20 MiB instead of 66, and the process at 174 MiB instead of 229.
 *
 * Why 2 MiB and not more: V8 counts buffer memory allocated since its last full collection
 * against the old generation's limit, and after a full collection of a small heap that limit
 * leaves only about 16-22 MB of room. With a collection every 8 MiB, the young, not yet freed
 * buffers of one HTTPS download (each byte is in two buffers: the TLS read and the HTTP
 * parser's joined read) filled that room, so V8 started a full collection every ~15 MiB
 * forwarded: 35-75 of them per 512 MiB, a third of the proxy's CPU. Every 2 MiB keeps them
 * under it: 1-2 full collections per download; `bench/run.mjs` over HTTPS went from 9.9 to 4.5
 * CPU s/GiB (0.72x to 1.14x http-mitm-proxy's rate) and over HTTP from 2.3 to 1.8. The extra
 * scavenges cost about 0.5 ms each, 0.25 s/GiB.
 */
export const BYTES_PER_COLLECTION = 2 * 1024 * 1024;

/** V8's `gc` function with the options form Node 20's V8 accepts. */
export type Collect = (options: { type: 'minor'; execution: 'sync' }) => void;

/**
 * V8's `gc`, taken from a fresh context with `--expose-gc` set only while that context is made:
 * the application's own global never gains a `gc`, and no command-line flag is needed.
 */
function v8Collector(): Collect | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as Collect;
  } catch {
    return undefined;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}

/** Counts forwarded body bytes and runs a minor collection every `every` of them. */
export class YoungGarbagePacer {
  #forwarded = 0;
  #collect: Collect | undefined | null;

  /**
   * @param every body bytes between two collections.
   * @param collect the collection to run; by default V8's, found on first use.
   */
  constructor(
    private readonly every = BYTES_PER_COLLECTION,
    collect?: Collect,
  ) {
    this.#collect = collect ?? null;
  }

  /** Notes `bytes` forwarded; collects once `every` bytes have passed since the last collection. */
  note(bytes: number): void {
    this.#forwarded += bytes;
    if (this.#forwarded < this.every) return;
    this.#forwarded = 0;
    if (this.#collect === null) this.#collect = v8Collector();
    this.#collect?.({ type: 'minor', execution: 'sync' });
  }
}

/** One pacer for the process: every body on every connection feeds the same young generation. */
const pacer = new YoungGarbagePacer();

/** Notes body bytes forwarded on any connection (see {@link YoungGarbagePacer}). */
export function noteForwarded(bytes: number): void {
  pacer.note(bytes);
}
