import { renderUnicodeCompact } from 'uqr';

/** A QR code of a URL drawn with half-block characters, two modules a line, for a terminal. */
export function terminalQr(url: string): string {
  return renderUnicodeCompact(url, { ecc: 'M', border: 2 });
}
