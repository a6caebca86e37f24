import { CaptureError } from '@capture/core';

/** Parses a `--port` value. */
export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new CaptureError('USAGE', `--port expects a number from 0 to 65535, got "${value}"`);
  }
  return port;
}
