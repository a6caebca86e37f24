import { MessageChannel } from 'node:worker_threads';

/**
 * Frees an ArrayBuffer's memory now, not at the thread's next full garbage collection. The
 * writer thread allocates little of its own, so V8 collects rarely there, and a batch's bodies
 * (a download's 10 MiB capture) stayed allocated until about 64 MiB of them had piled up.
 * Transferring the buffer into a message that is never delivered detaches it (every view of it
 * becomes empty) and hands its memory to the message, which closing both ports discards.
 * Callers must be done with every view of `buffer`.
 */
export function releaseNow(buffer: ArrayBuffer): void {
  if (buffer.byteLength === 0) return;
  const { port1, port2 } = new MessageChannel();
  port1.postMessage(null, [buffer]);
  port1.close();
  port2.close();
}
