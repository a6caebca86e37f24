/**
 * Bytes as base64. Core's exchange record types bodies as `Uint8Array` (it is shared with the
 * browser); on Node they are Buffers, but a view is wrapped rather than trusted to be one.
 */
export function base64Of(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}
