import os from 'node:os';

/** The machine's IPv4 addresses on its networks (not loopback): what a phone on the same Wi-Fi uses. */
export function lanAddresses(interfaces = os.networkInterfaces()): string[] {
  const found: string[] = [];
  for (const entries of Object.values(interfaces)) {
    for (const entry of entries ?? []) {
      if (entry.family === 'IPv4' && !entry.internal) found.push(entry.address);
    }
  }
  return found;
}
