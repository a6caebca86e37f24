/**
 * The rule by which storage may take a large captured body's memory instead of copying it (see
 * `CaptureProxy.afterExchangeSettled`). A download's capture is a 10 MiB buffer that outlives
 * many young-generation collections, so V8 frees it only at a full collection, which a small
 * heap rarely needs: dead captures piled up (three at once in a run of downloads), and the copy
 * history's writer thread needed was another 10 MiB allocation per body. Handed over by transfer,
 * the capture is freed by the writer as soon as it is stored, and nothing is copied.
 */

/** Bodies at least this long may be handed over; shorter ones are copied, which costs less than a transfer. */
export const HANDOFF_BYTES = 1024 * 1024;

/**
 * True when a body's bytes may be handed over once its exchange has settled: at least
 * {@link HANDOFF_BYTES}, and the whole of an `ArrayBuffer` of their own (a view into a larger
 * buffer would take the rest of it along; shared memory cannot be transferred).
 */
export function canHandOff(bytes: Uint8Array): boolean {
  return (
    bytes.byteLength >= HANDOFF_BYTES &&
    bytes.byteOffset === 0 &&
    bytes.buffer instanceof ArrayBuffer &&
    bytes.buffer.byteLength === bytes.byteLength
  );
}
